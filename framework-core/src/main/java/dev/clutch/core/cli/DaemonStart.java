package dev.clutch.core.cli;

import dev.clutch.core.api.ExitCode;
import dev.clutch.core.config.ClutchConfig;
import dev.clutch.core.config.ConfigLoader;
import dev.clutch.core.config.EnvName;
import dev.clutch.core.logging.LogLayout;
import dev.clutch.core.master.RunDirectory;
import dev.clutch.core.master.ReadyLine;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code start --daemon}: starts the master again as a process of its own session, its console going to
 * {@code logs/master.out}, and returns once the cluster is ready (exit 0) or the start failed (its exit code, and
 * the warnings and errors it printed).
 */
public final class DaemonStart {

    /**
     * Set by the application's launcher on {@code start --daemon}: the whole of {@code JAVA_OPTS}, of which it gave
     * this JVM only the settings ({@code -D}), for the master.
     */
    static final String MASTER_JAVA_OPTS_ENV = "CLUTCH_MASTER_JAVA_OPTS";
    private static final int MAX_LINES_SHOWN = 40;
    /** Under one headline: enough for a message's list of problems or a child's last words. */
    private static final int MAX_DETAIL_LINES = 12;

    private DaemonStart() {
    }

    public static ExitCode run(Class<?> applicationClass, String classpath, List<String> startArgs,
                               ClutchConfig config) {
        Path out = config.logDir().resolve("master.out");
        try {
            LogLayout.prepareDirectory(config.logDir());
            long offset = Files.exists(out) ? Files.size(out) : 0;
            List<String> command = new ArrayList<>();
            if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
                // A session of its own: closing the terminal sends it no SIGHUP (which would mean reload).
                command.add("/usr/bin/setsid");
            }
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmOptions());
            if (command.stream().noneMatch(option -> option.startsWith("-XX:ErrorFile="))) {
                // The daemon's working directory is the operator's shell's: its crash report goes to the logs.
                command.add(LogLayout.crashReportOption(config.logDir()));
            }
            command.add("-cp");
            command.add(classpath);
            command.add(applicationClass.getName());
            command.add("start");
            command.addAll(startArgs);
            command.add("--env");
            command.add(config.env());
            ProcessBuilder daemon = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
                    .redirectErrorStream(true);
            // The log files have every line: the console file keeps what needs a look (warnings, errors, crashes).
            daemon.environment().put(LogLayout.QUIET_CONSOLE_ENV, "1");
            daemon.environment().remove(MASTER_JAVA_OPTS_ENV);
            Process master = daemon.start();
            return awaitReady(master, out, offset, RunDirectory.pidFileIn(config.runDir()),
                    config.agentStartTimeout().plus(config.workerStartTimeout()).plusSeconds(30));
        } catch (IOException e) {
            System.err.println("clutch: cannot start " + config.name() + " as a daemon: " + e.getMessage());
            return ExitCode.START_FAILED;
        }
    }

    private static ExitCode awaitReady(Process master, Path out, long offset, Path pidFile, Duration timeout)
            throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            // Asked before reading: what a master printed before it exited is then all in what is read.
            boolean exited = !master.isAlive();
            String printed = readFrom(out, offset);
            var ready = ReadyLine.PATTERN.matcher(printed);
            int last = -1;
            while (ready.find()) {
                last = ready.start();
            }
            // The console file is shared: a ready line there may be another daemon's, started just before this one
            // (which then finds the run directory taken, and exits). Its own holds the run directory's lock.
            if (last >= 0 && !exited && holds(pidFile, master.pid())) {
                int end = printed.indexOf('\n', last);
                System.out.println(printed.substring(last, end < 0 ? printed.length() : end));
                System.out.println("running as a daemon (master pid " + master.pid() + "); console in " + out);
                return ExitCode.OK;
            }
            if (exited) {
                System.err.println(whatWentWrong(printed));
                System.err.println("clutch: the daemon exited with code " + master.exitValue() + " before the "
                        + "cluster was ready (console in " + out + ")");
                return master.exitValue() == 0 ? ExitCode.START_FAILED : exitCodeOf(master.exitValue());
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return ExitCode.FAILURE;
            }
        }
        System.err.println("clutch: the cluster was not ready within " + timeout.toSeconds() + " s; the daemon (pid "
                + master.pid() + ") is left running, see " + out);
        return ExitCode.START_FAILED;
    }

    /** Whether the pid file names {@code pid}: that process took the run directory. */
    private static boolean holds(Path pidFile, long pid) {
        try {
            return Files.readString(pidFile).strip().equals(Long.toString(pid));
        } catch (IOException e) {
            return false;
        }
    }

    private static ExitCode exitCodeOf(int code) {
        for (ExitCode candidate : ExitCode.values()) {
            if (candidate.code() == code) {
                return candidate;
            }
        }
        return ExitCode.FAILURE;
    }

    private static String readFrom(Path file, long offset) throws IOException {
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long length = in.length();
            if (length <= offset) {
                return "";
            }
            byte[] bytes = new byte[(int) Math.min(length - offset, 4 * 1024 * 1024)];
            in.seek(offset);
            in.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    /**
     * The console's warnings and errors, each with the lines under it (a message's own lines, the copy of a
     * child's stderr) but without stack frames: hundreds of lines of Guice's, where the cause is in the headline.
     * The console's last lines when it has no such line (a JVM that could not start).
     */
    static String whatWentWrong(String console) {
        List<String> lines = console.lines().toList();
        List<String> shown = new ArrayList<>();
        int detailLines = -1;
        for (String line : lines) {
            String level = LogLayout.levelOf(line);
            if (isHeadline(line, level)) {
                shown.add(line);
                detailLines = 0;
            } else if (level != null) {
                // A log line below WARN: the lines under it are its own.
                detailLines = -1;
            } else if (detailLines >= 0 && detailLines < MAX_DETAIL_LINES && !isStackFrame(line)) {
                shown.add(line);
                detailLines++;
            }
        }
        List<String> result = shown.isEmpty() ? lines : shown;
        return String.join("\n", result.subList(Math.max(0, result.size() - MAX_LINES_SHOWN), result.size()));
    }

    private static boolean isHeadline(String line, String level) {
        return "WARN".equals(level) || "ERROR".equals(level) || line.startsWith("clutch: ")
                || line.startsWith("Error: ") || line.startsWith("Exception in thread ");
    }

    /** {@code at ...} and {@code ... 12 more}, also in the master's copy of a child's stderr ({@code | at ...}). */
    private static boolean isStackFrame(String line) {
        String text = line.strip();
        if (text.startsWith("|")) {
            text = text.substring(1).strip();
        }
        return text.startsWith("at ") || (text.startsWith("... ") && text.endsWith(" more"));
    }

    /**
     * This JVM's options, unless it is Maven's (then only what Clutch needs), and the master's own that the
     * application's launcher kept from this JVM ({@link #MASTER_JAVA_OPTS_ENV}): a JMX port bound here would be in
     * use when the daemon binds it.
     */
    private static List<String> jvmOptions() {
        List<String> options = new ArrayList<>();
        if (!EnvName.runningInsideMaven()) {
            options.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
            String masterOptions = System.getenv(MASTER_JAVA_OPTS_ENV);
            if (masterOptions != null && !masterOptions.isBlank()) {
                // Split as the launcher splits JAVA_OPTS: on blanks, no quotes.
                for (String option : masterOptions.strip().split("\\s+")) {
                    if (!options.contains(option)) {
                        options.add(option);
                    }
                }
            }
        } else {
            // Only what loads the same configuration: Maven's own properties are not the application's.
            ConfigLoader.configurationProperties(System.getProperties())
                    .forEach((name, value) -> options.add("-D" + name + "=" + value));
        }
        if (options.stream().noneMatch(o -> o.startsWith("--enable-native-access"))) {
            options.add("--enable-native-access=ALL-UNNAMED");
        }
        return options;
    }
}
