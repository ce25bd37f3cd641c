package dev.clutch.core.master;

import dev.clutch.core.config.ClutchSettings;
import dev.clutch.core.control.ControlServer;
import dev.clutch.core.logging.Plural;
import dev.clutch.core.message.ControlReply;
import dev.clutch.core.message.ControlRequest;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the operator commands that arrive on the control socket: checks their arguments, calls the master's
 * transition for each, and words the reply. The transitions themselves stay in {@link Master}.
 */
final class ControlCommands {

    private static final Logger log = LoggerFactory.getLogger(ControlCommands.class);

    /**
     * How a reload ended.
     *
     * @param newAgentPid the agent it started first, or 0
     * @param failure why it stopped, or {@code null} when every worker was replaced
     * @param agentOnOlderBuild the agent, kept, runs an older build than the new workers: the jar changed since it
     *     started
     */
    record Reloaded(long newAgentPid, String failure, boolean agentOnOlderBuild, List<String> settings) {

        Reloaded(long newAgentPid, String failure, boolean agentOnOlderBuild) {
            this(newAgentPid, failure, agentOnOlderBuild, List.of());
        }

        static Reloaded failed(String why) {
            return new Reloaded(0, why, false);
        }

        /** The same outcome, with what the reload did with each setting changed on disk. */
        Reloaded withSettings(List<String> lines) {
            return new Reloaded(newAgentPid, failure, agentOnOlderBuild, List.copyOf(lines));
        }
    }

    /** What the master offers operators; called on the master's thread. */
    interface Operations {
        StatusReport status();

        /** Starts the ordered stop; false if a stop is already under way. */
        boolean stop();

        /** Sets the number of workers; {@code null} if accepted, otherwise why not. */
        String scale(int workers);

        /**
         * Starts a reload: the agent first when {@code agent} is set (or it is dead), then every worker, one at a
         * time; {@code done} hears how it ended.
         *
         * @return why it did not start, or {@code null}
         */
        String reload(boolean agent, Consumer<Reloaded> done);

        /** The shared state as the master keeps it, for the {@code state} command. */
        ControlReply sharedState();

        /** Sends an application message as the master; {@code reply} gets the answer. */
        void message(String target, String action, boolean request, byte[] payload, Duration timeout,
                     Consumer<ControlReply> reply);
    }

    /** Said when a reload kept an agent that runs an older build than the new workers. */
    static final String AGENT_ON_OLDER_BUILD = "the agent still runs the build it started with (the application's "
            + "classes changed on disk since): reload --agent replaces it too";

    private final String app;
    private final Operations operations;

    ControlCommands(String app, Operations operations) {
        this.app = app;
        this.operations = operations;
    }

    void handle(ControlServer.Command command) {
        try {
            dispatch(command);
        } catch (RuntimeException e) {
            // A bug in one command: the operator learns of it instead of waiting for an answer that never comes.
            log.error("control: '{}' failed: {}", command.request().command(), e.toString(), e);
            command.reply().accept(failed("the master failed to carry out '" + command.request().command() + "': "
                    + e + " (its log has the details)"));
        }
    }

    private void dispatch(ControlServer.Command command) {
        String[] args = command.request().args() == null ? new String[0] : command.request().args();
        Consumer<ControlReply> reply = command.reply();
        switch (command.request().command()) {
            case "status" -> {
                StatusReport report = operations.status();
                reply.accept(new ControlReply(true, report.table(), report.json()));
            }
            case "stop" -> {
                operations.stop();
                reply.accept(ok("stopping " + app + " (master pid " + ProcessHandle.current().pid() + ")"));
            }
            case "scale" -> {
                int workers = args.length == 1 && args[0].matches("\\d{1,4}") ? Integer.parseInt(args[0]) : -1;
                String refused = workers < 1 || workers > ClutchSettings.MAX_WORKERS
                        ? "scale takes a number of workers from 1 to " + ClutchSettings.MAX_WORKERS
                        : operations.scale(workers);
                reply.accept(refused == null ? ok("scaling to " + Plural.of(workers, "worker")) : failed(refused));
            }
            case "reload" -> {
                boolean agent = args.length == 1 && args[0].equals(ControlRequest.RELOAD_AGENT);
                if (args.length > (agent ? 1 : 0)) {
                    reply.accept(failed("reload takes no argument but " + ControlRequest.RELOAD_AGENT));
                    return;
                }
                String refused = operations.reload(agent, outcome -> reply.accept(reloadReply(outcome)));
                if (refused != null) {
                    reply.accept(failed("reload refused: " + refused));
                }
            }
            case "state" -> reply.accept(operations.sharedState());
            case "message" -> message(args, reply);
            default -> reply.accept(failed("unknown command '" + command.request().command() + "'"));
        }
    }

    private static ControlReply reloadReply(Reloaded outcome) {
        long agent = outcome.newAgentPid();
        StringBuilder settings = new StringBuilder();
        if (!outcome.settings().isEmpty()) {
            settings.append("\nsettings changed in the files on disk:");
            outcome.settings().forEach(line -> settings.append("\n  ").append(line));
        }
        if (outcome.failure() == null) {
            return ok("reload done: " + (agent == 0 ? "" : "a new agent (pid " + agent + "), then ")
                    + "every worker replaced" + (outcome.agentOnOlderBuild() ? "; " + AGENT_ON_OLDER_BUILD : "")
                    + settings);
        }
        return failed("reload aborted: " + (agent == 0 ? "" : "the new agent (pid " + agent + ") runs, but ")
                + outcome.failure() + settings);
    }

    /** A command that reached the master after it stopped: it was not carried out, and the operator hears so. */
    void refuseAfterStop(ControlServer.Command command) {
        String name = command.request().command();
        // What a stop asks for is done: it succeeds, and the client waits for the master's exit as usual.
        command.reply().accept("stop".equals(name)
                ? ok(app + " has stopped (master pid " + ProcessHandle.current().pid() + " is exiting)")
                : failed(app + " has stopped: '" + name + "' was not carried out"));
    }

    /** {@code message <target> <action> send|request <timeoutMillis> <base64 payload>}. */
    private void message(String[] args, Consumer<ControlReply> reply) {
        if (args.length != 5 || !(args[2].equals("send") || args[2].equals("request"))
                || !args[3].matches("\\d{1,18}")) {
            reply.accept(failed("message takes: <target> <action> send|request <timeoutMillis> <base64 payload>"));
            return;
        }
        byte[] payload;
        try {
            payload = Base64.getDecoder().decode(args[4]);
        } catch (IllegalArgumentException e) {
            reply.accept(failed("the payload is not base64: " + e.getMessage()));
            return;
        }
        operations.message(args[0], args[1], args[2].equals("request"), payload,
                Duration.ofMillis(Long.parseLong(args[3])), reply);
    }

    private static ControlReply ok(String text) {
        return new ControlReply(true, text, "");
    }

    private static ControlReply failed(String text) {
        return new ControlReply(false, text, "");
    }
}
