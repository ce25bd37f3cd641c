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

    private OperatorCommands() {
    }

    /**
     * @param degraded whether the configuration had problems, replaced by defaults: the instance found may then
     *     not be this application's, so a command that changes it asks first
     */
    public static ExitCode run(CommandLine line, ClutchConfig config, boolean degraded) {
        if (line.command().equals("logs")) {
            return logs(line, config);
        }
        ControlClient master = ControlClient.of(config);
        try {
            if (degraded && !line.command().equals("status") && !line.command().equals("state")) {
                String other = otherApplication(master, config.name());
                if (other != null) {
                    System.err.println("clutch: " + line.command() + " refused: the instance at " + config.runDir()
                            + " is " + other + ", not " + config.name() + "; with the configuration broken this "
                            + "command cannot tell where " + config.name() + " runs: give -Dclutch.runDir, or fix the "
                            + "configuration");
                    return ExitCode.CONFIG_ERROR;
                }
            }
            return switch (line.command()) {
                case "status" -> print(master.send(new ControlRequest("status", new String[0]), QUICK),
                        line.json());
                case "state" -> print(master.send(new ControlRequest("state", new String[0]), QUICK),
                        line.json());
                case "scale" -> print(master.send(new ControlRequest("scale",
                        line.arguments().toArray(String[]::new)), QUICK), false);
                case "reload" -> print(master.send(new ControlRequest("reload", line.agent()
                        ? new String[] {ControlRequest.RELOAD_AGENT} : new String[0]), reloadTimeout(master, config)),
                        false);
                case "stop" -> stop(master, config, Duration.ofSeconds(line.timeoutSeconds() > 0
                        ? line.timeoutSeconds() : 30));
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

    /** The name of the application that answers at this control socket when it is not {@code app}, or null. */
    private static String otherApplication(ControlClient master, String app) throws IOException {
        String running = status(master).getString("app");
        return running.equals(app) ? null : running;
    }

    /** The running instance's {@code status --json}, read with the configuration library's JSON parser. */
    private static Config status(ControlClient master) throws IOException {
        ControlReply reply = master.send(new ControlRequest("status", new String[0]), QUICK);
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

    /** Asks the master to stop, then waits until its process is gone; {@code timeout} bounds both. */
    private static ExitCode stop(ControlClient client, ClutchConfig config, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Optional<ProcessHandle> master = masterProcess(RunDirectory.pidFileIn(config.runDir()));
        ExitCode asked = print(client.send(new ControlRequest("stop", new String[0]),
                timeout.compareTo(QUICK) < 0 ? timeout : QUICK), false);
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
    private static Duration reloadTimeout(ControlClient master, ClutchConfig config) throws IOException {
        int workers = status(master).getInt("targetWorkers");
        return config.workerStartTimeout().plus(config.workerKillTimeout()).multipliedBy(Math.max(1, workers))
                .plus(config.agentKillTimeout()).plus(config.agentStartTimeout()).plusSeconds(30);
    }
}
