package dev.clutch.core.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValueFactory;
import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Loads the layered configuration, lowest first: Clutch's declared defaults (and in env {@code local}, one worker
 * and dev mode's watch), every {@code reference.conf} on the
 * classpath (plugins'), {@code application.conf} (or the file {@code -Dconfig.file} names),
 * {@code application-<env>.conf}, environment variables, system
 * properties, then command-line flags. The master and its children load the same layers from the same classpath.
 */
public final class ConfigLoader {

    /** Identity properties on every child's command line, for ps; not configuration. */
    private static final List<String> PROCESS_LABELS = List.of("clutch.role", "clutch.app");

    private ConfigLoader() {
    }

    /**
     * The system properties that shape the configuration: Clutch's settings ({@code clutch.*}) and Typesafe
     * Config's choice of file ({@code config.file}, {@code config.resource}, {@code config.url}). A process started
     * for this one passes them on, so that it loads the same configuration.
     */
    public static Map<String, String> configurationProperties(Properties properties) {
        Map<String, String> found = new TreeMap<>();
        for (String name : properties.stringPropertyNames()) {
            if (name.startsWith("clutch.") || name.startsWith("config.")) {
                found.put(name, properties.getProperty(name));
            }
        }
        return found;
    }

    /**
     * @param env the environment name, already decided (see {@link EnvName})
     * @param flags the command-line overrides, e.g. from {@code --port 8080}
     * @throws ConfigurationException for a file that does not parse, naming it and the line
     */
    public static Config load(ClassLoader classLoader, String env, Config flags, Map<String, String> environment) {
        return load(classLoader, env, flags, environment, Files.ALL);
    }

    /** Which of the application's and plugins' files a load reads. */
    private enum Files {
        ALL,
        /** Those that parse: the others are left out, not a reason to fail. */
        THOSE_THAT_PARSE,
        NONE
    }

    /**
     * For the operator's commands, which only need to find the running instance: the configuration as
     * {@link #load} reads it or, should a file not parse (a new jar put in place with a broken one, say), without
     * that file (its instance's name and directories are likely in the others), or, should the rest not resolve
     * either, without any of the application's and plugins' files; each reason is given to {@code problem} first.
     */
    public static Config loadForCommands(ClassLoader classLoader, String env, Config flags,
                                         Map<String, String> environment, Consumer<String> problem) {
        try {
            return load(classLoader, env, flags, environment, Files.ALL);
        } catch (ConfigurationException e) {
            e.problems().forEach(problem);
        }
        try {
            return load(classLoader, env, flags, environment, Files.THOSE_THAT_PARSE);
        } catch (ConfigurationException e) {
            return load(classLoader, env, flags, environment, Files.NONE);
        }
    }

    private static Config file(Files which, Supplier<Config> parse) {
        return switch (which) {
            case ALL -> parse.get();
            case NONE -> ConfigFactory.empty();
            case THOSE_THAT_PARSE -> {
                try {
                    yield parse.get();
                } catch (ConfigException | ConfigurationException e) {
                    yield ConfigFactory.empty();
                }
            }
        };
    }

    /**
     * A warning when the application's files set {@code clutch.env} to another env than the one this process runs
     * as: a file cannot choose the env, which chooses the files, and the value would otherwise do nothing unseen.
     */
    public static Optional<String> envSetInFiles(ClassLoader classLoader, String env) {
        ConfigParseOptions options = ConfigParseOptions.defaults().setClassLoader(classLoader);
        try {
            Config files = ConfigFactory.parseResources(EnvName.fileOf(env), options)
                    .withFallback(applicationFile(options));
            String key = ClutchSettings.ENV.key();
            if (files.hasPath(key) && !files.getString(key).strip().equals(env)) {
                return Optional.of(ClutchSettings.ENV.describe(files) + ": a file cannot choose the env, which "
                        + "chooses the files; this process runs as env " + env + " (give --env, -Dclutch.env or "
                        + "CLUTCH_ENV)");
            }
        } catch (ConfigException | ConfigurationException e) {
            // A file that does not load is reported by the load itself, with its line.
        }
        return Optional.empty();
    }

    /**
     * {@code application.conf} from the classpath or, as the library's own loader does, the one file that
     * {@code -Dconfig.file}, {@code -Dconfig.resource} or {@code -Dconfig.url} names in its place (an operator's file
     * outside the jar); the master passes these properties on, so every process reads the same.
     */
    private static Config applicationFile(ConfigParseOptions options) {
        Map<String, String> named = new LinkedHashMap<>();
        for (String property : List.of("config.file", "config.resource", "config.url")) {
            String value = System.getProperty(property);
            if (value != null && !value.isBlank()) {
                named.put(property, value.strip());
            }
        }
        if (named.size() > 1) {
            throw new ConfigurationException(List.of("-D" + String.join(", -D", named.keySet()) + " each name the "
                    + "application's configuration file: give one of them"));
        }
        // Named on purpose: a file that is not there is an error, not an empty configuration.
        ConfigParseOptions required = options.setAllowMissing(false);
        String file = named.get("config.file");
        String resource = named.get("config.resource");
        String url = named.get("config.url");
        try {
            return file != null ? ConfigFactory.parseFile(new File(file), required)
                    : resource != null ? ConfigFactory.parseResources(resource.replaceFirst("^/", ""), required)
                    : url != null ? ConfigFactory.parseURL(new URL(url), required)
                    : ConfigFactory.parseResources("application.conf", options);
        } catch (MalformedURLException e) {
            throw new ConfigurationException(List.of("-Dconfig.url = " + url + " is not a URL: " + e.getMessage()));
        }
    }

    private static Config load(ClassLoader classLoader, String env, Config flags, Map<String, String> environment,
                               Files which) {
        ConfigParseOptions options = ConfigParseOptions.defaults().setClassLoader(classLoader);
        try {
            Config systemProperties = ConfigFactory.systemProperties();
            for (String label : PROCESS_LABELS) {
                systemProperties = systemProperties.withoutPath(label);
            }
            return flags
                    .withFallback(ConfigFactory.empty("the environment name")
                            .withValue(ClutchSettings.ENV.key(), ConfigValueFactory.fromAnyRef(env)))
                    .withFallback(systemProperties)
                    .withFallback(ClutchSettings.fromEnvironment(environment))
                    .withFallback(file(which, () -> ConfigFactory.parseResources(EnvName.fileOf(env), options)))
                    .withFallback(file(which, () -> applicationFile(options)))
                    .withFallback(file(which, () -> ConfigFactory.defaultReference(classLoader)))
                    .withFallback(env.equals(EnvName.LOCAL) ? ClutchSettings.localDefaults() : ConfigFactory.empty())
                    .withFallback(ClutchSettings.defaults())
                    .resolve();
        } catch (ConfigException e) {
            throw new ConfigurationException(List.of(Origins.editable(e.getMessage())));
        }
    }
}
