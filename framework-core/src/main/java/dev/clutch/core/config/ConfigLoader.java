package dev.clutch.core.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValueFactory;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Loads the layered configuration, lowest first: Clutch's declared defaults (and in env {@code local}, one worker
 * and dev mode's watch), every {@code reference.conf} on the
 * classpath (plugins'), {@code application.conf}, {@code application-<env>.conf}, environment variables, system
 * properties, then command-line flags. The master and its children load the same layers from the same classpath.
 */
public final class ConfigLoader {

    /** Identity properties on every child's command line, for ps; not configuration. */
    private static final List<String> PROCESS_LABELS = List.of("clutch.role", "clutch.app");

    private ConfigLoader() {
    }

    /**
     * @param env the environment name, already decided (see {@link EnvName})
     * @param flags the command-line overrides, e.g. from {@code --port 8080}
     * @throws ConfigurationException for a file that does not parse, naming it and the line
     */
    public static Config load(ClassLoader classLoader, String env, Config flags, Map<String, String> environment) {
        return load(classLoader, env, flags, environment, true);
    }

    /**
     * For the operator's commands, which only need to find the running instance: the configuration as
     * {@link #load} reads it or, should a file not parse (a new jar put in place with a broken one, say), without
     * the application's and plugins' files, each reason given to {@code problem} first.
     */
    public static Config loadForCommands(ClassLoader classLoader, String env, Config flags,
                                         Map<String, String> environment, Consumer<String> problem) {
        try {
            return load(classLoader, env, flags, environment, true);
        } catch (ConfigurationException e) {
            e.problems().forEach(problem);
            return load(classLoader, env, flags, environment, false);
        }
    }

    private static Config load(ClassLoader classLoader, String env, Config flags, Map<String, String> environment,
                               boolean withFiles) {
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
                    .withFallback(withFiles ? ConfigFactory.parseResources(EnvName.fileOf(env), options)
                            : ConfigFactory.empty())
                    .withFallback(withFiles ? ConfigFactory.parseResources("application.conf", options)
                            : ConfigFactory.empty())
                    .withFallback(withFiles ? ConfigFactory.defaultReference(classLoader) : ConfigFactory.empty())
                    .withFallback(env.equals(EnvName.LOCAL) ? ClutchSettings.localDefaults() : ConfigFactory.empty())
                    .withFallback(ClutchSettings.defaults())
                    .resolve();
        } catch (ConfigException e) {
            throw new ConfigurationException(List.of(Origins.editable(e.getMessage())));
        }
    }
}
