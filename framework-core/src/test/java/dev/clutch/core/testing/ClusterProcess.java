package dev.clutch.core.testing;

import static org.awaitility.Awaitility.await;

import dev.clutch.core.master.ChildFactory;
import dev.clutch.core.master.ReadyLine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real Clutch master JVM started by a test, with its console captured. Every process it starts inherits a marker
 * in its environment; {@link #close()} kills every process that carries it, so nothing outlives the test, whatever
 * happened in it.
 */
public final class ClusterProcess implements AutoCloseable {

    public static final Pattern READY_LINE = ReadyLine.PATTERN;
    private static final String MARKER_ENV = "CLUTCH_TEST_MARKER";

    private final Process process;
    private final String marker;
    private final Path baseDir;
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;
    /** While set, nobody reads the master's console: its pipe fills, as under a paused terminal. */
    private boolean outputPaused;

    private ClusterProcess(Process process, String marker, Path baseDir) {
        this.process = process;
        this.marker = marker;
        this.baseDir = baseDir;
        this.reader = new Thread(this::readOutput, "cluster-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Describes a master to start. */
    public static Builder builder(Path baseDir) {
        return new Builder(baseDir);
    }

    public static final class Builder {
        private final Path baseDir;
        private final List<String> command = new ArrayList<>();
        private final List<String> wrapper = new ArrayList<>();
        private final List<String> jvmOptions = new ArrayList<>();
        private final List<String> args = new ArrayList<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private String mainClass;
        private String classpath = System.getProperty("java.class.path");

        private Builder(Path baseDir) {
            this.baseDir = baseDir;
        }

        public Builder mainClass(Class<?> main) {
            this.mainClass = main.getName();
            return this;
        }

        public Builder classpath(String classpath) {
            this.classpath = classpath;
            return this;
        }

        /** A -D system property of the master, e.g. {@code ("clutch.workers", "2")}. */
        public Builder property(String key, String value) {
            jvmOptions.add("-D" + key + "=" + value);
            return this;
        }

        public Builder env(String key, String value) {
            environment.put(key, value);
            return this;
        }

        public Builder args(String... values) {
            args.addAll(List.of(values));
            return this;
        }

        /** Runs the command through another, e.g. {@code nohup}. */
        public Builder wrappedIn(String... program) {
            wrapper.addAll(List.of(program));
            return this;
        }

        /** Replaces the {@code java -cp ... Main} command with another, e.g. {@code mvn exec:java}. */
        public Builder command(List<String> fullCommand) {
            command.addAll(fullCommand);
            return this;
        }

        public ClusterProcess start() throws IOException {
            List<String> full = new ArrayList<>(wrapper);
            if (command.isEmpty()) {
                full.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
                full.add("-Dclutch.baseDir=" + baseDir);
                full.addAll(ChildFactory.platformOptions(Runtime.version()));
                full.addAll(jvmOptions);
                full.add("-cp");
                full.add(classpath);
                full.add(mainClass);
                full.addAll(args);
            } else {
                full.addAll(command);
            }
            String marker = UUID.randomUUID().toString();
            ProcessBuilder builder = new ProcessBuilder(full).directory(baseDir.toFile()).redirectErrorStream(true);
            builder.environment().remove("CLUTCH_ROLE");
            builder.environment().putAll(environment);
            builder.environment().put(MARKER_ENV, marker);
            return new ClusterProcess(builder.start(), marker, baseDir);
        }
    }

    /** What the ready line says. */
    public record Ready(long millis, long agentPid, List<Long> workerPids, String host, int port) {
        public String url(String path) {
            return "http://127.0.0.1:" + port + path;
        }
    }

    private void readOutput() {
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                awaitOutputResumed();
                synchronized (lines) {
                    lines.add(line);
                }
                // Surefire keeps each test class's stdout: the cluster's console is there when a test fails.
                System.out.println("[cluster " + process.pid() + "] " + line);
            }
        } catch (IOException ignored) {
            // The process is gone.
        }
    }

    /** Stops reading the master's console (after the line being read) until {@link #resumeOutput()}. */
    public synchronized void pauseOutput() {
        outputPaused = true;
    }

    public synchronized void resumeOutput() {
        outputPaused = false;
        notifyAll();
    }

    private synchronized void awaitOutputResumed() throws IOException {
        while (outputPaused) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while the output was paused", e);
            }
        }
    }

    public long pid() {
        return process.pid();
    }

    public Process process() {
        return process;
    }

    public Path baseDir() {
        return baseDir;
    }

    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    public String output() {
        return String.join("\n", lines());
    }

    /** How many console lines so far contain {@code text}. */
    public long count(String text) {
        return lines().stream().filter(line -> line.contains(text)).count();
    }

    /** Waits for the ready line and parses it. */
    public Ready awaitReady(Duration timeout) {
        await("cluster ready line").atMost(timeout).pollInterval(Duration.ofMillis(50))
                .until(() -> readyLine() != null || !process.isAlive());
        Matcher m = readyLine();
        if (m == null) {
            throw new AssertionError("the cluster did not become ready; output:\n" + output());
        }
        List<Long> workers = m.group(3).isBlank() ? List.of()
                : Stream.of(m.group(3).split(",\\s*")).map(Long::parseLong).toList();
        return new Ready(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), workers, m.group(4),
                Integer.parseInt(m.group(5)));
    }

    private Matcher readyLine() {
        for (String line : lines()) {
            Matcher m = READY_LINE.matcher(line);
            if (m.find()) {
                return m;
            }
        }
        return null;
    }

    /** Waits until some line of the console contains {@code text}. */
    public void awaitLine(String text, Duration timeout) {
        await("console line containing '" + text + "'").atMost(timeout).pollInterval(Duration.ofMillis(50))
                .until(() -> lines().stream().anyMatch(l -> l.contains(text)));
    }

    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the master did not exit within " + timeout.toMillis() + " ms; output:\n"
                    + output());
        }
        // The exit can be seen before the last lines are read: a command's answer is often its last line. Bounded:
        // a process the master left running may still hold the pipe.
        reader.join(TimeUnit.SECONDS.toMillis(5));
        return process.exitValue();
    }

    /** Sends a signal to the master, e.g. {@code TERM} or {@code KILL}. */
    public void signal(String name) throws IOException, InterruptedException {
        signal(process.pid(), name);
    }

    /** Sends a signal to one process, a child of the master say: {@code STOP}, {@code CONT}, {@code USR1}. */
    public static void signal(long pid, String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).start();
        kill.waitFor(5, TimeUnit.SECONDS);
    }

    /** Every live process started by this test (the master and all its children). */
    public List<Long> livePids() {
        return processesWithMarker(marker);
    }

    public String log(String fileName) throws IOException {
        Path file = baseDir.resolve("logs").resolve(fileName);
        return Files.exists(file) ? Files.readString(file) : "";
    }

    /** Kills every process this test started and waits until they are gone. */
    @Override
    public void close() {
        resumeOutput();
        for (int attempt = 0; attempt < 50; attempt++) {
            List<Long> alive = livePids();
            if (alive.isEmpty()) {
                return;
            }
            alive.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new AssertionError("processes of this test survived SIGKILL: " + livePids());
    }

    /**
     * True while {@code pid} runs. A process that exited but was not reaped (a zombie, as children of a killed
     * master are until init reaps them) has stopped running.
     */
    public static boolean isRunning(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    /** The command line of a running process, as ps shows it. */
    public static String commandLine(long pid) throws IOException {
        byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
        return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').trim();
    }

    static List<Long> processesWithMarker(String marker) {
        String needle = MARKER_ENV + "=" + marker;
        List<Long> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).forEach(p -> {
                try {
                    String environ = new String(Files.readAllBytes(p.resolve("environ")), StandardCharsets.UTF_8);
                    if (environ.contains(needle) && isRunning(Long.parseLong(p.getFileName().toString()))) {
                        found.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException | RuntimeException ignored) {
                    // Gone, or not ours to read.
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
        return found;
    }
}
