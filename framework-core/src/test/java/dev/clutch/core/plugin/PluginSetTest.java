package dev.clutch.core.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.clutch.core.api.ClutchPlugin;
import dev.clutch.core.config.ConfigurationException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginSetTest {

    private static final Config NO_CONFIG = ConfigFactory.empty();

    private record Plugin(String name, List<String> requires) implements ClutchPlugin {
        static Plugin of(String name, String... requires) {
            return new Plugin(name, List.of(requires));
        }
    }

    private static List<String> order(PluginSet set) {
        return set.enabled().stream().map(ClutchPlugin::name).toList();
    }

    /** Found by the service loader: public, with a public no-argument constructor. */
    public static final class Metrics implements ClutchPlugin {
        @Override
        public String name() {
            return "metrics";
        }
    }

    public static final class Web implements ClutchPlugin {
        @Override
        public String name() {
            return "web";
        }

        @Override
        public List<String> requires() {
            return List.of("metrics");
        }
    }

    @Test
    void aPluginThatCannotBeLoadedHidesNeitherTheOthersNorTheirProblems(@TempDir Path classes) throws Exception {
        Path services = Files.createDirectories(classes.resolve("META-INF/services"));
        Files.writeString(services.resolve(ClutchPlugin.class.getName()), String.join("\n", Web.class.getName(),
                "com.example.MissingPlugin", Metrics.class.getName(), "com.example.AlsoMissing"));

        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
                getClass().getClassLoader())) {
            ConfigurationException e = assertThrows(ConfigurationException.class, () -> PluginSet.load(loader,
                    NO_CONFIG));

            assertEquals(2, e.problems().size(), e.getMessage());
            assertTrue(e.problems().get(0).contains("com.example.MissingPlugin"), e.getMessage());
            assertTrue(e.problems().get(1).contains("com.example.AlsoMissing"), e.getMessage());
        }
    }

    @Test
    void serviceFilesThatCannotBeReadAreOneProblem() {
        ClassLoader unreadable = new ClassLoader(getClass().getClassLoader()) {
            @Override
            public java.util.Enumeration<URL> getResources(String name) throws java.io.IOException {
                throw new java.io.IOException("disk on fire");
            }
        };

        ConfigurationException e = assertThrows(ConfigurationException.class, () -> PluginSet.load(unreadable,
                NO_CONFIG));

        assertEquals(1, e.problems().size(), e.getMessage());
        assertTrue(e.problems().get(0).contains("disk on fire"), e.getMessage());
        assertTrue(e.problems().get(0).contains("not looked at"), e.getMessage());
    }

    @Test
    void requirementsComeFirstAndIndependentPluginsInNameOrder() {
        PluginSet set = PluginSet.resolve(List.of(Plugin.of("web", "metrics", "cache"), Plugin.of("cache", "redis"),
                Plugin.of("zeta"), Plugin.of("redis"), Plugin.of("metrics")), NO_CONFIG);

        assertEquals(List.of("redis", "cache", "metrics", "web", "zeta"), order(set));
    }

    @Test
    void aPluginSwitchedOffIsLeftOutAndNamed() {
        Config config = ConfigFactory.parseString("clutch.plugins.metrics.enabled = false", opts("application-test.conf"));

        PluginSet set = PluginSet.resolve(List.of(Plugin.of("metrics"), Plugin.of("redis")), config);

        assertEquals(List.of("redis"), order(set));
        assertEquals("plugins: redis (off: metrics)", set.describe());
    }

    @Test
    void aMissingRequirementFailsNamingBoth() {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> PluginSet.resolve(
                List.of(Plugin.of("cache", "redis")), NO_CONFIG));

        assertEquals(1, e.problems().size());
        assertTrue(e.problems().get(0).startsWith("plugin 'cache' requires plugin 'redis', which is not on the "
                + "classpath"), e.getMessage());
    }

    @Test
    void aRequirementSwitchedOffFailsWithWhereItWasSwitchedOff() {
        Config config = ConfigFactory.parseString("clutch.plugins.redis.enabled = false",
                opts("application-prod.conf"));

        ConfigurationException e = assertThrows(ConfigurationException.class, () -> PluginSet.resolve(
                List.of(Plugin.of("cache", "redis"), Plugin.of("redis")), config));

        assertTrue(e.getMessage().contains("plugin 'cache' requires plugin 'redis', which is switched off "
                + "(clutch.plugins.redis.enabled = false in application-prod.conf"), e.getMessage());
    }

    @Test
    void aCycleFailsNamingEveryPluginInIt() {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> PluginSet.resolve(
                List.of(Plugin.of("a", "b"), Plugin.of("b", "c"), Plugin.of("c", "a"), Plugin.of("d")), NO_CONFIG));

        assertEquals(List.of("plugins require each other in a cycle: a → b → c → a; remove one of these "
                + "requirements"), e.problems());
    }

    @Test
    void badAndDuplicateNamesAndSwitchesAreAllReported() {
        Config config = ConfigFactory.parseString("clutch.plugins.ok.enabled = maybe");

        ConfigurationException e = assertThrows(ConfigurationException.class, () -> PluginSet.resolve(
                List.of(Plugin.of("Bad Name"), Plugin.of("twice"), Plugin.of("twice"), Plugin.of("ok")), config));

        assertEquals(3, e.problems().size(), e.getMessage());
        assertTrue(e.getMessage().contains("has the name 'Bad Name'"), e.getMessage());
        assertTrue(e.getMessage().contains("two plugins are named 'twice'"), e.getMessage());
        assertTrue(e.getMessage().contains("clutch.plugins.ok.enabled must be true or false"), e.getMessage());
    }

    private static com.typesafe.config.ConfigParseOptions opts(String name) {
        return com.typesafe.config.ConfigParseOptions.defaults().setOriginDescription(name);
    }
}
