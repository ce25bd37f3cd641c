package dev.clutch.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The life-cycle figures of a 2-worker cluster of the sample application, started as its README says
 * ({@code target/bin/flags start}, the launcher the build writes): cold start, resident memory after warm-up, a
 * rolling reload under steady load, failover after a kill -9 of a worker, graceful stop. Each run starts a fresh cluster in a fresh directory; the
 * figures are medians over the runs. Writes a markdown table and the boot timeline of the last run.
 *
 * <pre>java LifecycleBench.java &lt;launcher, target/bin/flags&gt; &lt;runs&gt; &lt;out dir&gt;</pre>
 */
public final class LifecycleBench {

    private static final Pattern READY = Pattern.compile("clutch: cluster ready in (\\d+) ms, agent (\\d+), "
            + "workers \\[([\\d, ]*)], listening on");
    private static final Pattern STAMP = Pattern.compile("^(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}) ");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");
    private static final long BOOT_TIMEOUT_MILLIS = 60_000;
    private static final long SETTLE_MILLIS = 2_000;
    /** About 100,000 per worker: twice the calls after which the workers' defaults let C2 compile a method. */
    private static final int WARM_UP_REQUESTS = 200_000;
    private static final int WARM_UP_CONNECTIONS = 4;
    /**
     * How often the failover figure asks whether the replacement serves. Asking every millisecond, through a new
     * connection each time, loaded the 2 cores the replacement boots on (the master accepts and hands over every
     * connection, the surviving worker answers it) and made its boot slower than without the bench watching.
     */
    private static final long FAILOVER_POLL_MILLIS = 10;

    private final Path launcher;
    private final Path out;

    private LifecycleBench(Path launcher, Path out) {
        this.launcher = launcher;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        LifecycleBench bench = new LifecycleBench(Path.of(args[0]), Path.of(args[2]));
        int runs = Integer.parseInt(args[1]);
        Map<String, List<Double>> figures = new LinkedHashMap<>();
        // The first start of a build records the class-data archive (at its first clean worker exit); the runs
        // after it start from the archive, as every later start of that build does.
        System.err.println("lifecycle run 0 (first start of this build, no class-data archive yet)");
        Map<String, List<Double>> first = new LinkedHashMap<>();
        bench.run(first, false);
        figures.put("cold start, first start of a build: launch → first 200 (ms)",
                first.get("cold start: launch → first 200 (ms)"));
        for (int run = 1; run <= runs; run++) {
            System.err.println("lifecycle run " + run + "/" + runs);
            bench.run(figures, run == runs);
        }
        bench.write(figures, runs);
    }

    /** One fresh cluster through every figure. */
    private void run(Map<String, List<Double>> figures, boolean keepTimeline) throws Exception {
        Path dir = Files.createTempDirectory("clutch-lifecycle-");
        int port = freePort();
        ProcessBuilder start = new ProcessBuilder(launcher.toString(), "start", "--workers", "2", "--port",
                Integer.toString(port)).redirectErrorStream(true);
        // The JDK this bench runs on; extra options of the master's java command (to try children's JVM options,
        // say) in BENCH_JAVA_OPTS.
        start.environment().put("JAVA_HOME", System.getProperty("java.home"));
        start.environment().put("JAVA_OPTS", "-Dclutch.baseDir=" + dir + " -Dclutch.http.host=127.0.0.1 "
                + "-Dclutch.http.accessLog=false " + System.getenv().getOrDefault("BENCH_JAVA_OPTS", ""));
        start.environment().put("CLUTCH_CDS_DIR", out.resolve("cds").toString());
        long launchedNanos = System.nanoTime();
        long launchedMillis = System.currentTimeMillis();
        Process master = start.start();
        Console console = new Console(master.getInputStream());
        try {
            awaitFirst200(port, master, console);
            add(figures, "cold start: launch → first 200 (ms)", millisSince(launchedNanos));
            add(figures, "cold start: CPU time of master, agent and workers by the first 200 (s)",
                    cpuSeconds(master));
            Matcher ready = console.awaitReady();
            long agent = Long.parseLong(ready.group(2));
            List<Long> workers = Arrays.stream(ready.group(3).split(",\\s*")).map(Long::parseLong).toList();

            warmUp(port, WARM_UP_REQUESTS);
            long[] justAfter = memory(master.pid(), agent, workers);
            add(figures, "resident memory: master (MiB)", justAfter[0] / 1024.0);
            add(figures, "resident memory: agent (MiB)", justAfter[1] / 1024.0);
            add(figures, "resident memory: each worker (MiB)", justAfter[2] / 1024.0 / workers.size());
            add(figures, "resident memory: master + agent + 2 workers (MiB)",
                    (justAfter[0] + justAfter[1] + justAfter[2]) / 1024.0);
            add(figures, "proportional memory (PSS): master + agent + 2 workers (MiB)", justAfter[3] / 1024.0);
            // What an idle cluster holds once the periodic trims (every second) returned the load's freed memory.
            Thread.sleep(SETTLE_MILLIS);
            long[] settled = memory(master.pid(), agent, workers);
            add(figures, "resident memory, " + SETTLE_MILLIS / 1000 + " s after the warm-up: master + agent + 2 "
                    + "workers (MiB)", (settled[0] + settled[1] + settled[2]) / 1024.0);
            add(figures, "proportional memory (PSS), " + SETTLE_MILLIS / 1000 + " s after the warm-up (MiB)",
                    settled[3] / 1024.0);

            try (Steady steady = new Steady(port)) {
                long before = console.count("reload done");
                long reloadNanos = System.nanoTime();
                signal(master.pid(), "HUP");
                console.awaitCount("reload done", before + 1);
                add(figures, "rolling reload under load: duration (ms)", millisSince(reloadNanos));
                Thread.sleep(200);
                steady.stop();
                add(figures, "rolling reload under load: failed requests", steady.failures.size());
                add(figures, "rolling reload under load: requests served", steady.answered.get());
                if (!steady.failures.isEmpty()) {
                    System.err.println("failures during reload: " + steady.failures.subList(0,
                            Math.min(5, steady.failures.size())));
                }
            }

            Set<Long> serving = servingWorkers(port);
            long victim = serving.iterator().next();
            long killNanos = System.nanoTime();
            ProcessHandle.of(victim).ifPresent(ProcessHandle::destroyForcibly);
            awaitNewWorker(port, serving);
            add(figures, "failover: kill -9 of a worker → its replacement serves (ms)", millisSince(killNanos));

            List<ProcessHandle> family = new ArrayList<>(master.descendants().toList());
            family.add(master.toHandle());
            long stopNanos = System.nanoTime();
            signal(master.pid(), "TERM");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (family.stream().anyMatch(LifecycleBench::running) && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            add(figures, "graceful stop: TERM → every process gone (ms)", millisSince(stopNanos));
            if (keepTimeline) {
                Files.write(out.resolve("boot-timeline.tsv"), console.timeline(launchedMillis));
            }
        } finally {
            master.descendants().forEach(ProcessHandle::destroyForcibly);
            master.destroyForcibly();
            master.waitFor(10, TimeUnit.SECONDS);
            // The cluster's run directory and logs; what a failure needs from them is in its exception already.
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
            }
        }
    }

    /**
     * User and system time the master and its children used so far. Steadier than the wall time on a machine
     * whose speed varies: what a change saves in CPU, the cores do not have to give during the boot.
     */
    private static double cpuSeconds(Process master) {
        return Stream.concat(Stream.of(master.toHandle()), master.descendants())
                .map(process -> process.info().totalCpuDuration().orElse(Duration.ZERO))
                .reduce(Duration.ZERO, Duration::plus).toMillis() / 1000.0;
    }

    /** A process that exited but was not reaped yet (a zombie) has stopped running. */
    private static boolean running(ProcessHandle process) {
        if (!process.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    private static void add(Map<String, List<Double>> figures, String name, double value) {
        figures.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }

    private static double millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1e6;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        }
    }

    private static void signal(long pid, String name) throws Exception {
        new ProcessBuilder("kill", "-" + name, Long.toString(pid)).start().waitFor(5, TimeUnit.SECONDS);
    }

    /**
     * Resident KiB of the master, the agent and the workers together, then the PSS of all four: pages the processes
     * share (the JDK's and Clutch's class-data archives, libraries) count once there.
     */
    private static long[] memory(long master, long agent, List<Long> workers) throws IOException {
        long pss = pssKib(master) + pssKib(agent) + workers.stream().mapToLong(LifecycleBench::pssKib).sum();
        return new long[] {rssKib(master), rssKib(agent), workers.stream().mapToLong(LifecycleBench::rssKib).sum(),
            pss};
    }

    private static long rssKib(long pid) {
        return procField(pid, "status", "VmRSS:");
    }

    private static long pssKib(long pid) {
        return procField(pid, "smaps_rollup", "Pss:");
    }

    /** A kB figure from {@code /proc/<pid>/<file>}; 0 when the process is gone. */
    private static long procField(long pid, String file, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), file))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException e) {
            // Gone: counts as nothing.
        }
        return 0;
    }

    /** One GET on a new connection: the status and the X-Clutch-Worker pid, or null when it failed. */
    private static long[] get(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            socket.setSoTimeout(5000);
            OutputStream outStream = socket.getOutputStream();
            outStream.write(("GET /_clutch/health HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            if (!response.startsWith("HTTP/1.1 ")) {
                return null;
            }
            int status = Integer.parseInt(response.substring(9, 12));
            Matcher worker = Pattern.compile("(?i)x-clutch-worker: (\\d+)").matcher(response);
            return new long[] {status, worker.find() ? Long.parseLong(worker.group(1)) : 0};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static void awaitFirst200(int port, Process master, Console console) throws Exception {
        long deadline = System.currentTimeMillis() + BOOT_TIMEOUT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            long[] reply = get(port);
            if (reply != null && reply[0] == 200) {
                return;
            }
            if (!master.isAlive()) {
                throw new IllegalStateException("the cluster exited during start:\n" + console.text());
            }
            Thread.sleep(2);
        }
        throw new IllegalStateException("no 200 within " + BOOT_TIMEOUT_MILLIS + " ms:\n" + console.text());
    }

    /**
     * Keep-alive GETs on {@link #WARM_UP_CONNECTIONS} connections at once, long enough that each worker's
     * optimizing compiler has compiled the request path (it waits for 50,000 calls of a method by default), so the
     * memory figures after it include what C2 adds.
     */
    private static void warmUp(int port, int requests) throws Exception {
        List<Thread> threads = new ArrayList<>();
        List<Exception> failures = new CopyOnWriteArrayList<>();
        for (int c = 0; c < WARM_UP_CONNECTIONS; c++) {
            Thread thread = new Thread(() -> {
                try {
                    keepAliveGets(port, requests / WARM_UP_CONNECTIONS);
                } catch (IOException e) {
                    failures.add(e);
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
    }

    private static void keepAliveGets(int port, int requests) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream outStream = socket.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.ISO_8859_1));
            for (int i = 0; i < requests; i++) {
                outStream.write("GET /_clutch/health HTTP/1.1\r\nHost: bench\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                int length = 0;
                String line;
                while ((line = in.readLine()) != null && !line.isEmpty()) {
                    if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                        length = Integer.parseInt(line.substring(15).trim());
                    }
                }
                in.skip(length);
            }
        }
    }

    private static Set<Long> servingWorkers(int port) {
        Set<Long> pids = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            long[] reply = get(port);
            if (reply != null && reply[0] == 200) {
                pids.add(reply[1]);
            }
        }
        return pids;
    }

    private static void awaitNewWorker(int port, Set<Long> before) throws InterruptedException {
        long deadline = System.currentTimeMillis() + BOOT_TIMEOUT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            long[] reply = get(port);
            if (reply != null && reply[0] == 200 && !before.contains(reply[1])) {
                return;
            }
            Thread.sleep(FAILOVER_POLL_MILLIS);
        }
        throw new IllegalStateException("no replacement worker served within " + BOOT_TIMEOUT_MILLIS + " ms");
    }

    private void write(Map<String, List<Double>> figures, int runs) throws IOException {
        List<String> table = new ArrayList<>();
        table.add("| figure | median | min | max |");
        table.add("|---|---|---|---|");
        for (Map.Entry<String, List<Double>> figure : figures.entrySet()) {
            double[] values = figure.getValue().stream().mapToDouble(Double::doubleValue).sorted().toArray();
            table.add("| " + figure.getKey() + " | " + format(median(values)) + " | " + format(values[0]) + " | "
                    + format(values[values.length - 1]) + " |");
        }
        table.add("");
        table.add("Medians of " + runs + " runs, a fresh cluster each.");
        Files.write(out.resolve("lifecycle.md"), table);
        List<String> tsv = new ArrayList<>();
        figures.forEach((name, values) -> tsv.add(name + "\t" + median(values.stream().mapToDouble(Double::doubleValue)
                .sorted().toArray())));
        Files.write(out.resolve("lifecycle.tsv"), tsv);
        // Every run's value, for bench/compare.sh to pool the rounds of one variant.
        List<String> runsTsv = new ArrayList<>();
        figures.forEach((name, values) -> runsTsv.add(name + "\t" + values.stream().map(String::valueOf)
                .collect(Collectors.joining("\t"))));
        Files.write(out.resolve("lifecycle-runs.tsv"), runsTsv);
        table.forEach(System.out::println);
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static String format(double value) {
        return value == Math.rint(value) && value < 1e9 ? Long.toString((long) value)
                : String.format(Locale.ROOT, "%.1f", value);
    }

    /** GETs on new connections from 4 threads until stopped, as clients of a service under a reload. */
    private static final class Steady implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger answered = new AtomicInteger();
        private final List<String> failures = new CopyOnWriteArrayList<>();
        private final List<Thread> threads = new ArrayList<>();

        Steady(int port) {
            for (int i = 0; i < 4; i++) {
                Thread thread = new Thread(() -> {
                    while (running.get()) {
                        long[] reply = get(port);
                        if (reply != null && reply[0] == 200) {
                            answered.incrementAndGet();
                        } else {
                            failures.add(reply == null ? "no answer" : "status " + reply[0]);
                        }
                    }
                }, "steady-" + i);
                thread.start();
                threads.add(thread);
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread thread : threads) {
                thread.join(10_000);
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }
    }

    /** The master's console: kept, searched, and turned into the boot timeline. */
    private static final class Console {
        private final List<String> lines = new CopyOnWriteArrayList<>();

        Console(InputStream stream) {
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // The master is gone.
                }
            }, "console");
            reader.setDaemon(true);
            reader.start();
        }

        String text() {
            return String.join("\n", lines);
        }

        long count(String text) {
            return lines.stream().filter(l -> l.contains(text)).count();
        }

        void awaitCount(String text, long count) throws InterruptedException {
            long deadline = System.currentTimeMillis() + BOOT_TIMEOUT_MILLIS;
            while (count(text) < count) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("no '" + text + "' within " + BOOT_TIMEOUT_MILLIS + " ms:\n"
                            + text());
                }
                Thread.sleep(2);
            }
        }

        Matcher awaitReady() throws InterruptedException {
            awaitCount("clutch: cluster ready in", 1);
            for (String line : lines) {
                Matcher m = READY.matcher(line);
                if (m.find()) {
                    return m;
                }
            }
            throw new IllegalStateException("no ready line");
        }

        /**
         * The boot's steps, as milliseconds after the launch: {@code process  step  startMs  endMs}, from the
         * master's log lines ("launched agent (pid ...)", "agent (pid ...) is ready in ...").
         */
        List<String> timeline(long launchedMillis) {
            Map<String, long[]> steps = new LinkedHashMap<>();
            Pattern launched = Pattern.compile("Master - launched (\\S+) \\(pid");
            Pattern readyStep = Pattern.compile("Master - (\\S+) \\(pid \\d+\\) is ready in");
            long masterLogged = -1;
            long clusterReady = -1;
            for (String line : lines) {
                Matcher stamp = STAMP.matcher(line);
                if (!stamp.find()) {
                    continue;
                }
                long at = LocalDateTime.parse(stamp.group(1), TIME).atZone(ZoneId.systemDefault()).toInstant()
                        .toEpochMilli() - launchedMillis;
                if (masterLogged < 0) {
                    masterLogged = at;
                }
                Matcher l = launched.matcher(line);
                Matcher r = readyStep.matcher(line);
                if (l.find()) {
                    steps.putIfAbsent(l.group(1), new long[] {at, -1});
                } else if (r.find() && steps.containsKey(r.group(1)) && steps.get(r.group(1))[1] < 0) {
                    steps.get(r.group(1))[1] = at;
                    clusterReady = Math.max(clusterReady, at);
                }
            }
            List<String> rows = new ArrayList<>();
            rows.add("master\tJVM start to first log line\t0\t" + masterLogged);
            steps.forEach((process, span) -> rows.add(process + "\tlaunch to ready\t" + span[0] + "\t" + span[1]));
            rows.add("cluster\tready\t" + clusterReady + "\t" + clusterReady);
            return rows;
        }
    }
}
