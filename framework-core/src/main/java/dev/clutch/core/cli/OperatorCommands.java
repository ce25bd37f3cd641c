package dev.clutch.core.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import dev.clutch.core.api.ExitCode;
import dev.clutch.core.config.ClutchConfig;
import dev.clutch.core.control.ControlClient;
import dev.clutch.core.master.RunDirectory;
import dev.clutch.core.message.ControlReply;
import dev.clutch.core.message.ControlRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code stop}, {@code status}, {@code state}, {@code reload} and {@code scale}: each reaches the running instance of
 * this application through the control socket in its run directory, so it never touches another application.
 * {@code logs} reads the instance's log files.
 */
public final class OperatorCommands {

    private static final Duration QUICK = Duration.ofSeconds(10);
    private static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(30);

    private OperatorCommands() {
    }

    /**
     * @param degraded whether the configuration had problems, replaced by defaults: the run directory may then not
     *     be this application's (every command that changes the instance checks whose it is; this says why not)
     */
    public static ExitCode run(CommandLine line, ClutchConfig config, boolean degraded) {
        if (line.command().equals("logs")) {
            return logs(line, config);
        }
        ControlClient master = ControlClient.of(config);
        long started = System.nanoTime();
        try {
            if (line.command().equals("status") || line.command().equals("state")) {
                return print(master.send(new ControlRequest(line.command(), new String[0]), QUICK), line.json());
            }
            Duration given = line.timeoutSeconds() > 0 ? Duration.ofSeconds(line.timeoutSeconds()) : null;
            // Applications started from one base directory share its run directory: the instance there may be
            // another application's, which a command that changes it must leave alone.
            Config running = status(master, given != null && given.compareTo(QUICK) < 0 ? given : QUICK);
            String app = running.getString("app");
            if (!app.equals(config.name())) {
                System.err.println("clutch: " + line.command() + " refused: the instance at " + config.runDir()
                        + " is " + app + ", not " + config.name() + (degraded
                        ? "; with the configuration broken this command may have lost the application's name or "
                        + "run directory: give -Dclutch.name=" + app + " if that instance is this application's, "
                        + "or -Dclutch.runDir, or fix the configuration"
                        : "; " + config.name() + " does not run there (applications started from one clutch.baseDir "
                        + "need a clutch.runDir each)"));
                return ExitCode.CONFIG_ERROR;
            }
            return switch (line.command()) {
                case "scale" -> print(master.send(new ControlRequest("scale",
                        line.arguments().toArray(String[]::new)), QUICK), false);
                case "reload" -> print(master.send(new ControlRequest("reload", line.agent()
                        ? new String[] {ControlRequest.RELOAD_AGENT} : new String[0]),
                        given != null ? given : reloadTimeout(running, config)), false);
                case "stop" -> stop(master, config, given != null ? given : DEFAULT_STOP_TIMEOUT, started);
                default -> throw new IllegalArgumentException("not an operator command: " + line.command());
            };
        } catch (IOException e) {
            System.err.println("clutch: " + line.command() + " " + config.name() + ": " + e.getMessage());
            return ExitCode.FAILURE;
        }
    }

    /** Reads the log files, running instance or not; the directory goes to stderr, so stdout is the logs alone. */
    private static ExitCode logs(CommandLine line, ClutchConfig config) {
        System.err.println("clutch: logs of " + config.name() + " in " + config.logDir());
        try (LogsCommand logs = new LogsCommand(config.logDir(), line.arguments(), System.out)) {
            logs.tail(line.logLines());
            if (line.follow()) {
                logs.follow();
            }
            return ExitCode.OK;
        } catch (IOException e) {
            System.err.println("clutch: logs " + config.name() + ": " + e.getMessage());
            return ExitCode.FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCode.OK;
        }
    }

    /** The running instance's {@code status --json}, read with the configuration library's JSON parser. */
    private static Config status(ControlClient master, Duration timeout) throws IOException {
        ControlReply reply = master.send(new ControlRequest("status", new String[0]), timeout);
        if (!reply.ok()) {
            throw new IOException(reply.text());
        }
        return ConfigFactory.parseString(reply.json(), ConfigParseOptions.defaults().setSyntax(ConfigSyntax.JSON));
    }

    private static ExitCode print(ControlReply reply, boolean json) {
        if (reply.ok()) {
            System.out.println(json ? reply.json() : reply.text().stripTrailing());
            return ExitCode.OK;
        }
        System.err.println("clutch: " + reply.text());
        return ExitCode.FAILURE;
    }

    /**
     * Asks the master to stop, then waits until its process is gone; {@code timeout} from {@code started}
     * ({@code System.nanoTime()}) bounds both.
     */
    private static ExitCode stop(ControlClient client, ClutchConfig config, Duration timeout, long started)
            throws IOException {
        long deadline = started + timeout.toNanos();
        Optional<ProcessHandle> master = masterProcess(RunDirectory.pidFileIn(config.runDir()));
        Duration left = Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
        ExitCode asked = print(client.send(new ControlRequest("stop", new String[0]),
                left.compareTo(QUICK) < 0 ? left : QUICK), false);
        if (asked != ExitCode.OK || master.isEmpty()) {
            return asked;
        }
        try {
            master.get().onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            System.out.println("stopped");
            return ExitCode.OK;
        } catch (TimeoutException e) {
            System.err.println("clutch: the master (pid " + master.get().pid() + ") still runs after "
                    + timeout.toSeconds() + " s");
            return ExitCode.FAILURE;
        } catch (Exception e) {
            throw new IOException("waiting for the master to stop: " + e, e);
        }
    }

    private static Optional<ProcessHandle> masterProcess(Path pidFile) {
        try {
            return ProcessHandle.of(Long.parseLong(Files.readString(pidFile, StandardCharsets.UTF_8).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * The agent may take its stop and a new one its start, then every worker of the running instance (its target,
     * which {@code scale} may have changed) its start and its drain, one after the other.
     */
    private static Duration reloadTimeout(Config status, ClutchConfig config) {
        int workers = status.getInt("targetWorkers");
        return config.workerStartTimeout().plus(config.workerKillTimeout()).multipliedBy(Math.max(1, workers))
                .plus(config.agentKillTimeout()).plus(config.agentStartTimeout()).plusSeconds(30);
    }
}
