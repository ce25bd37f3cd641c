package dev.clutch.core.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The application's command line. Flags of {@code start} become the top layer of the configuration.
 *
 * @param command {@code start}, {@code stop}, {@code status}, {@code state}, {@code reload}, {@code scale},
 *     {@code logs} or {@code help}
 * @param env the {@code --env} flag, or {@code null}
 * @param overrides configuration values set by flags, keyed by {@code clutch.*} path
 * @param arguments what follows the command that is not a flag (the N of {@code scale N}, the processes of
 *     {@code logs})
 * @param timeoutSeconds the {@code --timeout} of {@code stop} and {@code reload}, or 0
 * @param agent the {@code --agent} of {@code reload}: a new agent first, then the workers
 * @param logLines the {@code --lines} of {@code logs}
 * @param follow the {@code --follow} of {@code logs}
 */
public record CommandLine(String command, String env, Map<String, Object> overrides, boolean daemon, boolean json,
                          int timeoutSeconds, List<String> arguments, boolean agent, int logLines,
                          boolean follow) {

    public static final String USAGE = """
            usage: <app> [command] [options]
              start [--daemon] [--single] [--workers N] [--port P] [--env E]
                               run the cluster (the default); in the foreground unless --daemon, which returns
                               once the cluster is ready; --single runs master, agent and one worker in this
                               one JVM, for debugging
              stop [--timeout S]   stop the running instance, waiting up to S seconds (default 30)
              status [--json]      one row per process of the running instance
              state [--json]       the shared state the agent published, as the master keeps it
              reload [--agent] [--timeout S]
                               replace every worker, one at a time, with the classes and settings on
                               disk now; --agent (or a dead agent) starts a new agent first; waits up to
                               S seconds (default: long enough for every worker's start and drain)
              scale N              run N workers
              logs [master|agent|workers|worker-N ...] [--lines N] [--follow]
                               the last N lines (default 20) of the master's, the agent's and the workers'
                               logs together (or of those named), in the order written; --follow prints
                               what comes next, until Ctrl-C
              --help               print this help""";

    private static final Set<String> COMMANDS = Set.of("start", "stop", "status", "state", "reload", "scale",
            "logs");
    private static final Set<String> START_OPTIONS = Set.of("--daemon", "--single", "--workers", "--port");
    /** How many lines {@code logs} prints without {@code --lines}. */
    static final int DEFAULT_LOG_LINES = 20;

    /**
     * @throws IllegalArgumentException saying which argument is wrong
     */
    public static CommandLine parse(List<String> args) {
        String command = null;
        String env = null;
        boolean daemon = false;
        boolean json = false;
        Integer timeout = null;
        boolean agent = false;
        Integer lines = null;
        boolean follow = false;
        List<String> startOptions = new ArrayList<>();
        List<String> arguments = new ArrayList<>();
        Map<String, Object> overrides = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (START_OPTIONS.contains(arg)) {
                startOptions.add(arg);
            }
            switch (arg) {
                case "--help", "-h" -> command = "help";
                case "--workers" -> overrides.put("clutch.workers", number(arg, value(args, ++i, arg)));
                case "--port" -> overrides.put("clutch.http.port", number(arg, value(args, ++i, arg)));
                case "--env" -> env = value(args, ++i, arg);
                case "--daemon" -> daemon = true;
                case "--single" -> overrides.put("clutch.mode", "single");
                case "--json" -> json = true;
                case "--timeout" -> timeout = number(arg, value(args, ++i, arg));
                case "--agent" -> agent = true;
                case "--lines", "-n" -> lines = number(arg, value(args, ++i, arg));
                case "--follow", "-f" -> follow = true;
                default -> {
                    if (arg.startsWith("-") && !arg.matches("-\\d+")) {
                        throw new IllegalArgumentException("unknown option '" + arg + "'");
                    } else if (command == null && COMMANDS.contains(arg)) {
                        command = arg;
                    } else if ("help".equals(command)) {
                        // "--help stop" asks what "stop --help" does: the usage.
                        continue;
                    } else if (command != null) {
                        arguments.add(arg);
                    } else {
                        throw new IllegalArgumentException("unknown command '" + arg + "'");
                    }
                }
            }
        }
        command = command == null ? "start" : command;
        if (command.equals("help")) {
            // Asked wherever it stands ("reload --agent --help"): the usage, whatever the other words.
            return new CommandLine("help", env, Map.of(), false, false, 0, List.of(), false, DEFAULT_LOG_LINES, false);
        }
        if (command.equals("scale") && (arguments.size() != 1 || !arguments.get(0).matches("\\d{1,4}"))) {
            throw new IllegalArgumentException("scale takes one number of workers, e.g. 'scale 4'");
        }
        if (!startOptions.isEmpty() && !command.equals("start")) {
            // Ignoring it would act on the running instance as if it were not there ("stop --port 8081" stops
            // whatever runs from this run directory, whichever port it serves).
            throw new IllegalArgumentException(startOptions.get(0) + " is an option of start, not of " + command
                    + (command.equals("scale") ? ": scale N sets the number of workers" : ""));
        }
        if (json && !command.equals("status") && !command.equals("state")) {
            throw new IllegalArgumentException("--json is an option of status and state, not of " + command);
        }
        if (agent && !command.equals("reload")) {
            throw new IllegalArgumentException("--agent is an option of reload, not of " + command);
        }
        if ((follow || lines != null) && !command.equals("logs")) {
            throw new IllegalArgumentException((follow ? "--follow" : "--lines") + " is an option of logs, not of "
                    + command);
        }
        if (timeout != null && !command.equals("stop") && !command.equals("reload") && !command.equals("help")) {
            throw new IllegalArgumentException("--timeout is an option of stop and reload, not of " + command);
        }
        if (timeout != null && timeout < 1) {
            throw new IllegalArgumentException("--timeout takes a number of seconds, 1 or more, not " + timeout);
        }
        if (lines != null && lines < 0) {
            throw new IllegalArgumentException("--lines takes a number of lines, 0 or more, not " + lines);
        }
        for (String process : command.equals("logs") ? arguments : List.<String>of()) {
            if (!process.matches("master|agent|workers|worker-\\d+")) {
                throw new IllegalArgumentException("logs takes processes to show: master, agent, workers or "
                        + "worker-N, not '" + process + "'");
            }
        }
        if (!command.equals("scale") && !command.equals("logs") && !arguments.isEmpty()) {
            throw new IllegalArgumentException("unexpected argument '" + arguments.get(0) + "' for " + command);
        }
        return new CommandLine(command, env, Map.copyOf(overrides), daemon, json, timeout == null ? 0 : timeout,
                List.copyOf(arguments),
                agent, lines == null ? DEFAULT_LOG_LINES : lines, follow);
    }

    public Config overridesConfig() {
        return ConfigFactory.parseMap(overrides, "command-line flags");
    }

    private static String value(List<String> args, int index, String flag) {
        if (index >= args.size()) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args.get(index);
    }

    private static int number(String flag, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " takes a whole number, not '" + value + "'");
        }
    }
}
