package dev.clutch.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path classpath;

    private ClassLoader withFiles(Map<String, String> files) throws IOException {
        for (Map.Entry<String, String> file : files.entrySet()) {
            Files.writeString(classpath.resolve(file.getKey()), file.getValue());
        }
        return new URLClassLoader(new URL[] {classpath.toUri().toURL()}, null);
    }

    private static ClutchConfig load(ClassLoader loader, String env, Map<String, Object> flags,
                                     Map<String, String> environment) {
        return ClutchConfig.of(ConfigLoader.load(loader, env, ConfigFactory.parseMap(flags), environment), "app");
    }

    @Test
    void eachLayerOverridesTheOneBelow() throws IOException {
        ClassLoader loader = withFiles(Map.of(
                "application.conf", "clutch { workers = 2, http.port = 8000, http.host = \"10.0.0.1\", "
                        + "agent.startTimeout = 7s, worker.killTimeout = 9s }",
                "application-staging.conf", "clutch { workers = 3, http.port = 8001 }"));

        ClutchConfig config = load(loader, "staging", Map.of("clutch.worker.killTimeout", "1s"),
                Map.of("CLUTCH_PORT", "9000"));

        assertEquals(Duration.ofSeconds(30), config.workerStartTimeout(), "Clutch default");
        assertEquals(Duration.ofSeconds(7), config.agentStartTimeout(), "application.conf");
        assertEquals("10.0.0.1", config.httpHost(), "application.conf");
        assertEquals(3, config.workers(), "application-<env>.conf");
        assertEquals(9000, config.httpPort(), "environment variable");
        assertEquals(Duration.ofSeconds(1), config.workerKillTimeout(), "command-line flag");
        assertEquals("staging", config.env());
    }

    @Test
    void configFileNamesTheApplicationsFileInPlaceOfTheOneOnTheClasspath(@TempDir Path etc) throws IOException {
        ClassLoader loader = withFiles(Map.of("application.conf", "clutch { workers = 2, http.port = 8000 }",
                "application-prod.conf", "clutch.http.port = 8001"));
        Path external = Files.writeString(etc.resolve("prod.conf"), "clutch.workers = 5\nclutch.http.host = 10.1.1.1\n");
        System.setProperty("config.file", external.toString());
        try {
            ClutchConfig config = load(loader, "prod", Map.of(), Map.of());

            assertEquals(5, config.workers(), "the named file");
            assertEquals("10.1.1.1", config.httpHost(), "the named file");
            assertEquals(8001, config.httpPort(), "application-<env>.conf stays above it");

            Files.writeString(external, "include classpath(\"application.conf\")\nclutch.http.host = 10.1.1.2\n");
            ClutchConfig building = load(loader, "prod", Map.of(), Map.of());
            assertEquals(2, building.workers(), "the jar's, included");
            assertEquals("10.1.1.2", building.httpHost());

            System.setProperty("config.file", etc.resolve("missing.conf").toString());
            ConfigurationException missing = assertThrows(ConfigurationException.class,
                    () -> load(loader, "prod", Map.of(), Map.of()));
            assertTrue(missing.getMessage().contains("missing.conf"), missing.getMessage());

            System.setProperty("config.resource", "application.conf");
            ConfigurationException both = assertThrows(ConfigurationException.class,
                    () -> load(loader, "prod", Map.of(), Map.of()));
            assertTrue(both.getMessage().contains("-Dconfig.file, -Dconfig.resource each name the application's "
                    + "configuration file: give one of them"), both.getMessage());
        } finally {
            System.clearProperty("config.file");
            System.clearProperty("config.resource");
        }
    }

    @Test
    void anEnvSetInAFileIsWarnedAboutSinceItChoosesNothing() throws IOException {
        ClassLoader loader = withFiles(Map.of("application.conf", "clutch.workers = 2\nclutch.env = staging\n",
                "application-staging.conf", "clutch.env = staging\n"));

        Optional<String> warning = ConfigLoader.envSetInFiles(loader, "prod");

        assertTrue(warning.orElseThrow().matches("clutch\\.env = staging \\(.*application\\.conf, line 2\\): a "
                + "file cannot choose the env, which chooses the files; this process runs as env prod \\(give --env, "
                + "-Dclutch.env or CLUTCH_ENV\\)"), warning.orElseThrow());
        assertEquals(Optional.empty(), ConfigLoader.envSetInFiles(loader, "staging"), "the env it runs as");
    }

    @Test
    void anotherEnvironmentDoesNotReadTheStagingFile() throws IOException {
        ClassLoader loader = withFiles(Map.of("application.conf", "clutch.workers = 2",
                "application-staging.conf", "clutch.workers = 3"));
        assertEquals(2, load(loader, "prod", Map.of(), Map.of()).workers());
    }

    @Test
    void anEnvWithoutItsOwnFileIsWarnedAboutUnlessItIsAConventionalOne() throws IOException {
        ClassLoader loader = withFiles(Map.of("application.conf", "clutch.workers = 2",
                "application-staging.conf", "clutch.workers = 3"));

        assertEquals(Optional.empty(), EnvName.withoutItsFile("staging", loader));
        assertEquals(Optional.empty(), EnvName.withoutItsFile("prod", loader), "prod needs no file of its own");
        assertEquals(Optional.of("env stagign has no application-stagign.conf on the classpath: it runs on "
                + "application.conf alone (a typo in --env or CLUTCH_ENV?)"),
                EnvName.withoutItsFile("stagign", loader));
    }

    @Test
    void zeroWorkersMeansOnePerProcessor() throws IOException {
        ClassLoader loader = withFiles(Map.of());
        assertEquals(Runtime.getRuntime().availableProcessors(), load(loader, "prod", Map.of(), Map.of()).workers());
    }

    @Test
    void everyBadValueIsReportedTogetherWithItsFileAndLine() throws IOException {
        ClassLoader loader = withFiles(Map.of("application.conf", String.join("\n",
                "clutch {",
                "  workers = -1",
                "  agent.startTimeout = soon",
                "  ipc.maxFrameBytes = lots",
                "  worker.maxRequests = 1000.7",
                "  alarm.webhook.url = \"hooks.example.com/T0/s3cret\"",
                "}")));

        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> load(loader, "prod", Map.of(), Map.of()));

        assertEquals(5, e.problems().size(), e.getMessage());
        Path file = classpath.resolve("application.conf");
        assertTrue(e.getMessage().contains("clutch.workers = -1 (" + file + ", line 2): must be between 0 and 1024"),
                e.getMessage());
        assertTrue(e.getMessage().contains("clutch.agent.startTimeout = soon (" + file + ", line 3): must be a "
                + "duration"), e.getMessage());
        assertTrue(e.getMessage().contains("clutch.ipc.maxFrameBytes = lots (" + file + ", line 4): must be a "
                + "size"), e.getMessage());
        // Not cut to 1000 without a word.
        assertTrue(e.getMessage().contains("clutch.worker.maxRequests = 1000.7 (" + file + ", line 5): must be a "
                + "whole number"), e.getMessage());
        // Refused at the start, not when the first alarm goes out; and the URL's secret is not repeated.
        assertTrue(e.getMessage().contains("clutch.alarm.webhook.url = (a URL without scheme or host) (" + file
                + ", line 6): must be an http or https URL"), e.getMessage());
        assertTrue(!e.getMessage().contains("s3cret"), e.getMessage());
    }

    @Test
    void aDurationPastAYearIsRefused() throws IOException {
        ClassLoader loader = withFiles(Map.of("application.conf", "clutch.agent.startTimeout = 400000d\n"));

        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> load(loader, "prod", Map.of(), Map.of()));

        assertTrue(e.getMessage().contains("clutch.agent.startTimeout = 400000d (") && e.getMessage().contains(
                "must be a duration of at most 365 days"), e.getMessage());
    }

    @Test
    void aDurationOrASmallSizeWithoutItsUnitIsRefusedNotTakenAsMillisecondsOrBytes() throws IOException {
        ClassLoader loader = withFiles(Map.of("application.conf", String.join("\n",
                "clutch.http.requestTimeout = 30",
                "clutch.worker.maxMemory = 512",
                "clutch.worker.timeout = 0",
                "clutch.ipc.maxFrameBytes = 16777216")));

        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> load(loader, "prod", Map.of(), Map.of()));

        assertEquals(2, e.problems().size(), e.getMessage());
        assertTrue(e.getMessage().contains("clutch.http.requestTimeout = 30 (") && e.getMessage().contains(
                "has no unit, which would make it 30 ms: write the unit, for example \"30s\" or \"30ms\""),
                e.getMessage());
        assertTrue(e.getMessage().contains("clutch.worker.maxMemory = 512 (") && e.getMessage().contains(
                "has no unit, which would make it 512 bytes: write the unit, for example \"512MiB\""), e.getMessage());
        // Zero (off) needs no unit, nor does a byte count a person would not write by mistake.
        ClutchConfig plain = load(withFiles(Map.of("application.conf", "clutch.worker.timeout = 0\n"
                + "clutch.ipc.maxFrameBytes = 16777216\n")), "prod", Map.of(), Map.of());
        assertEquals(0, plain.workerTimeout().toMillis());
        assertEquals(16 << 20, plain.maxFrameBytes());
    }

    @Test
    void inAMavenProjectErrorsNameTheSourceFileNotItsCopyInTargetClasses(@TempDir Path project) throws IOException {
        Path classes = Files.createDirectories(project.resolve("target/classes"));
        Path source = Files.createDirectories(project.resolve("src/main/resources")).resolve("application.conf");
        Files.writeString(source, "clutch {\n  workers = -1\n}\n");
        Files.copy(source, classes.resolve("application.conf"));
        Files.writeString(classes.resolve("application-broken.conf"), "clutch {\n  workers = \n");
        Files.copy(classes.resolve("application-broken.conf"), source.resolveSibling("application-broken.conf"));
        ClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, null);

        ConfigurationException badValue = assertThrows(ConfigurationException.class,
                () -> load(loader, "prod", Map.of(), Map.of()));
        assertTrue(badValue.getMessage().contains("clutch.workers = -1 (" + source
                + " (as built into target/classes), line 2)"), badValue.getMessage());

        ConfigurationException unparsable = assertThrows(ConfigurationException.class,
                () -> load(loader, "broken", Map.of(), Map.of()));
        assertTrue(unparsable.getMessage().contains(source.resolveSibling("application-broken.conf")
                + " (as built into target/classes)"), unparsable.getMessage());
        assertTrue(!unparsable.getMessage().contains("target/classes/"), unparsable.getMessage());
    }

    @Test
    void aTestConfigInAProjectWhosePathHasASpaceIsNamedByItsSource(@TempDir Path parent) throws IOException {
        Path project = parent.resolve("my project");
        Path classes = Files.createDirectories(project.resolve("target/test-classes"));
        Path source = Files.createDirectories(project.resolve("src/test/resources")).resolve("application.conf");
        Files.writeString(source, "clutch {\n  workers = -1\n}\n");
        Files.copy(source, classes.resolve("application.conf"));
        ClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, null);

        ConfigurationException badValue = assertThrows(ConfigurationException.class,
                () -> load(loader, "prod", Map.of(), Map.of()));

        assertTrue(badValue.getMessage().contains("clutch.workers = -1 (" + source
                + " (as built into target/test-classes), line 2)"), badValue.getMessage());
    }

    @Test
    void nullIsABadValueLikeAnyOther() throws IOException {
        ClassLoader loader = withFiles(Map.of("application.conf", "clutch {\n  http.port = null\n}\n"));

        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> load(loader, "prod", Map.of(), Map.of()));

        assertTrue(e.getMessage().contains("clutch.http.port = null (" + classpath.resolve("application.conf")
                + ", line 2): must not be null; remove the line to get the default"), e.getMessage());
    }

    @Test
    void aWorkerTimeoutShorterThanTwoHeartbeatsIsRefused() throws IOException {
        ClassLoader loader = withFiles(Map.of("application.conf",
                "clutch {\n  worker.heartbeatInterval = 5s\n  worker.timeout = 2s\n}\n"));

        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> load(loader, "prod", Map.of(), Map.of()));

        assertTrue(e.getMessage().contains("clutch.worker.timeout = 2s (" + classpath.resolve("application.conf")
                + ", line 3): must be at least twice clutch.worker.heartbeatInterval (5000 ms)"), e.getMessage());
        ClassLoader off = withFiles(Map.of("application.conf", "clutch.worker.timeout = 0\n"));
        assertEquals(Duration.ZERO, load(off, "prod", Map.of(), Map.of()).workerTimeout(), "0 turns it off");
    }

    @Test
    void operatorCommandsGoOnWithoutAFileThatDoesNotParseAndWithDefaultsForBadValues() throws IOException {
        ClassLoader loader = withFiles(Map.of("application.conf", "clutch {\n  runDir = elsewhere\n  oops = [\n"));
        List<String> problems = new ArrayList<>();

        ClutchConfig config = ClutchConfig.lenient(ConfigLoader.loadForCommands(loader, "prod", ConfigFactory.empty(),
                Map.of("CLUTCH_WORKERS", "abc"), problems::add), "app", problems::add);

        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("application.conf: 4"), problems.get(0));
        assertTrue(problems.get(1).startsWith("clutch.workers = abc"), problems.get(1));
        assertEquals(Runtime.getRuntime().availableProcessors(), config.workers(), "the default in its place");
        assertTrue(config.runDir().endsWith("run"), "the files' keys are gone with them: " + config.runDir());
    }

    @Test
    void operatorCommandsKeepTheFilesThatParseSoTheyStillFindTheInstance() throws IOException {
        ClassLoader loader = withFiles(Map.of("application.conf", "clutch {\n  name = flags\n  runDir = elsewhere\n}\n",
                "application-prod.conf", "clutch {\n  workers = 2\n  oops = [\n"));
        List<String> problems = new ArrayList<>();

        ClutchConfig config = ClutchConfig.lenient(ConfigLoader.loadForCommands(loader, "prod", ConfigFactory.empty(),
                Map.of(), problems::add), "app", problems::add);

        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("application-prod.conf: 4"), problems.get(0));
        assertEquals("flags", config.name(), "the instance's name from the file that parses");
        assertTrue(config.runDir().endsWith("elsewhere"), config.runDir().toString());
    }

    @Test
    void fileThatDoesNotParseIsNamedWithItsLine() throws IOException {
        ClassLoader loader = withFiles(Map.of("application.conf", "clutch {\n  workers = 2\n  oops = [\n"));

        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> load(loader, "prod", Map.of(), Map.of()));

        assertTrue(e.getMessage().contains("application.conf: 4"), e.getMessage());
    }

    @Test
    void environmentVariableWithABadValueIsNamed() throws IOException {
        ClassLoader loader = withFiles(Map.of());
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> load(loader, "prod", Map.of(), Map.of("CLUTCH_WORKERS", "many")));
        assertTrue(e.getMessage().contains("clutch.workers = many (environment variable CLUTCH_WORKERS): must be a "
                + "whole number"), e.getMessage());
    }

    @Test
    void theConfigurationPropertiesAreClutchsSettingsAndTypesafeConfigsChoiceOfFile() {
        Properties properties = new Properties();
        properties.setProperty("clutch.workers", "3");
        properties.setProperty("config.file", "/etc/app/production.conf");
        properties.setProperty("config.resource", "other.conf");
        properties.setProperty("maven.repo.local", "/root/.m2");
        properties.setProperty("user.dir", "/work");
        properties.setProperty("clutchy", "no");

        assertEquals(Map.of("clutch.workers", "3", "config.file", "/etc/app/production.conf",
                        "config.resource", "other.conf"),
                ConfigLoader.configurationProperties(properties));
    }
}
