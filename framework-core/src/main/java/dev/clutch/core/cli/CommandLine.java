package dev.clutch.core.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The application's command line: {@code [start] [--workers N] [--port P] [--env E]}. Flags become the top layer of
 * the configuration.
 *
 * @param env the {@code --env} flag, or {@code null}
 * @param overrides configuration values set by flags, keyed by {@code clutch.*} path
 */
public record CommandLine(String command, String env, Map<String, Object> overrides) {

    public static final String USAGE = """
            usage: <app> [start] [options]
              start            run the cluster in the foreground (the default)
            options:
              --workers N      number of workers (clutch.workers)
              --port P         HTTP port (clutch.http.port)
              --env E          environment name, choosing application-<E>.conf (clutch.env)
              --help           print this help""";

    /**
     * @throws IllegalArgumentException saying which argument is wrong
     */
    public static CommandLine parse(List<String> args) {
        String command = "start";
        String env = null;
        Map<String, Object> overrides = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "start" -> command = arg;
                case "--help", "-h" -> command = "help";
                case "--workers" -> overrides.put("clutch.workers", number(arg, value(args, ++i, arg)));
                case "--port" -> overrides.put("clutch.http.port", number(arg, value(args, ++i, arg)));
                case "--env" -> env = value(args, ++i, arg);
                default -> throw new IllegalArgumentException("unknown argument '" + arg + "'");
            }
        }
        return new CommandLine(command, env, Map.copyOf(overrides));
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
