package dev.clutch.archetype;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clutch.core.testing.ClusterProcess;
import dev.clutch.core.testing.Http;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The project the archetype generates, as a new user gets it: the archetype plugin's integration test has
 * generated it (from {@code src/test/resources/projects/basic}) and run its {@code mvn verify}, its own tests
 * included; here it boots the two ways its README says and answers its route.
 */
class GeneratedProjectIT {

    private static final Path PROJECT = Path.of("target", "test-classes", "projects", "basic", "project",
            "hello-service").toAbsolutePath();
    private static final Duration BOOT = Duration.ofSeconds(120);

    @TempDir
    Path baseDir;

    @Test
    void theGeneratedProjectHasEverythingItsReadmePromises() {
        for (String file : List.of("pom.xml", "README.md", ".gitignore", ".mvn/jvm.config",
                "src/main/java/com/example/hello/App.java",
                "src/main/java/com/example/hello/agent/TickerPlugin.java",
                "src/main/java/com/example/hello/worker/HelloRoute.java",
                "src/main/resources/application.conf", "src/main/resources/application-local.conf",
                "src/main/resources/application-prod.conf",
                "src/main/resources/logback-clutch.xml",
                "src/main/resources/META-INF/services/dev.clutch.core.api.ClutchPlugin",
                "src/test/java/com/example/hello/HelloTest.java",
                "target/surefire-reports/TEST-com.example.hello.HelloTest.xml",
                "target/hello-service.jar", "target/bin/hello-service")) {
            assertTrue(Files.exists(PROJECT.resolve(file)), file + " in " + PROJECT);
        }
    }

    @Test
    void itsLauncherIsTheOneOfTheFrameworkVersionItBuildsWithNotACopyOfItsOwn() throws Exception {
        assertFalse(Files.exists(PROJECT.resolve("src/main/launcher")), "no copy to fall behind an upgrade");
        assertEquals(Files.readString(Path.of("..", "framework-core", "src", "main", "launcher", "launcher")),
                Files.readString(PROJECT.resolve("target/bin/hello-service")));
        assertTrue(Files.isExecutable(PROJECT.resolve("target/bin/hello-service")));
    }

    /**
     * Its build, tests included, shows the user no JDK warning about the libraries Clutch brings (JDK 24+ warns
     * about native access and {@code sun.misc.Unsafe} unless allowed). Maven's own libraries may still warn: those
     * are Maven's, from its installation, not the repository.
     */
    @Test
    void itsBuildPrintsNoJdkWarningAboutClutchsLibraries() throws Exception {
        List<String> warnings = Files.readAllLines(PROJECT.resolve("build.log")).stream()
                .filter(line -> line.contains("has been called by") && line.contains("/repository/"))
                .toList();
        assertTrue(warnings.isEmpty(), String.join("\n", warnings));
    }

    @Test
    void itsLauncherStartsAClusterThatServesItsRoute() throws Exception {
        List<String> command = List.of(PROJECT.resolve("target/bin/hello-service").toString(), "start", "--workers",
                "2", "--port", "0");
        try (ClusterProcess cluster = ClusterProcess.builder(baseDir).command(command)
                .env("JAVA_HOME", System.getProperty("java.home"))
                .env("JAVA_OPTS", "-Dclutch.baseDir=" + baseDir + " -Dclutch.http.host=127.0.0.1")
                .env("CLUTCH_CDS_DIR", baseDir.toString())
                .start()) {
            ClusterProcess.Ready ready = cluster.awaitReady(BOOT);
            assertEquals(2, ready.workerPids().size());
            assertTrue(cluster.output().contains("plugins: ticker, env prod"), cluster.output());

            HttpResponse<String> hello = Http.get(ready.url("/hello"));
            assertEquals(200, hello.statusCode());
            assertTrue(hello.body().contains("\"greeting\":\"Hello from hello-service\""), hello.body());

            cluster.signal("TERM");
            assertEquals(0, cluster.awaitExit(BOOT));
        }
    }

    /**
     * The README's cycle, {@code mvn package} then {@code reload}, under a running instance: the build replaces the
     * jar by a rename, so the running JVMs keep reading the jar they opened (one written in place would break
     * them, the master first) and the reload starts workers on the new one; it says the agent still runs the old
     * build, which {@code reload --agent} replaces.
     */
    @Test
    void aRebuildUnderARunningInstanceIsTakenUpByItsReload() throws Exception {
        Path launcher = PROJECT.resolve("target/bin/hello-service");
        Path jar = PROJECT.resolve("target/hello-service.jar");
        Object jarBefore = Files.getAttribute(jar, "unix:ino");
        Path prodConf = PROJECT.resolve("src/main/resources/application-prod.conf");
        String prodBefore = Files.readString(prodConf);
        String javaOpts = "-Dclutch.baseDir=" + baseDir + " -Dclutch.http.host=127.0.0.1";
        try (ClusterProcess cluster = ClusterProcess.builder(baseDir)
                .command(List.of(launcher.toString(), "start", "--workers", "2", "--port", "0"))
                .env("JAVA_HOME", System.getProperty("java.home"))
                .env("JAVA_OPTS", javaOpts)
                .env("CLUTCH_CDS_DIR", baseDir.toString())
                .start()) {
            ClusterProcess.Ready ready = cluster.awaitReady(BOOT);

            // The new build's settings: the workers' JVM options reach the new workers; the master's settings
            // wait for a restart, and meanwhile the new workers keep the master's (their log directory among them).
            long line = prodBefore.lines().count() + 1;
            Files.writeString(prodConf, prodBefore.stripTrailing() + """

                    clutch.worker.jvmArgs = ${clutch.worker.jvmArgs} ["-Dhello.deployment=2"]
                    clutch.logDir = logs-of-the-new-build
                    """);
            try (ClusterProcess build = ClusterProcess.builder(baseDir).command(List.of("mvn", "-B", "-q", "-o",
                    "-f", PROJECT.resolve("pom.xml").toString(), "package", "-DskipTests")).start()) {
                assertEquals(0, build.awaitExit(BOOT), build.output());
            }
            assertTrue(!jarBefore.equals(Files.getAttribute(jar, "unix:ino")), "the jar was replaced, not rewritten");

            try (ClusterProcess reload = ClusterProcess.builder(baseDir).command(List.of(launcher.toString(),
                    "reload")).env("JAVA_HOME", System.getProperty("java.home")).env("JAVA_OPTS", javaOpts)
                    .start()) {
                assertEquals(0, reload.awaitExit(BOOT), reload.output());
                String output = reload.output();
                assertTrue(output.contains("reload done: every worker replaced; the agent still runs the "
                        + "build it started with"), output);
                // A value that adds to the defaults is a merge: its origin names the defaults and the file.
                assertTrue(output.contains("clutch.worker.jvmArgs = [") && output.contains("-Dhello.deployment=2] ("
                        + "merge of Clutch defaults,") && output.contains("application-prod.conf: " + line + "): the "
                        + "new workers take it"), output);
                assertTrue(output.contains("clutch.logDir = logs-of-the-new-build (application-prod.conf, line "
                        + (line + 1) + "): a setting of the master, every process keeps \"\" until a stop and a start"),
                        output);
            }
            HttpResponse<String> hello = Http.get(ready.url("/hello"));
            assertEquals(200, hello.statusCode());
            long newWorker = Long.parseLong(hello.headers().firstValue("X-Clutch-Worker").orElseThrow());
            assertTrue(!ready.workerPids().contains(newWorker), "a new worker answers: " + hello.headers());
            assertTrue(Files.readString(Path.of("/proc", Long.toString(newWorker), "cmdline"))
                    .contains("-Dhello.deployment=2"), "the new worker runs with the new build's JVM options");
            assertTrue(!Files.exists(baseDir.resolve("logs-of-the-new-build")), "the new workers log where the "
                    + "master does");

            try (ClusterProcess reload = ClusterProcess.builder(baseDir).command(List.of(launcher.toString(),
                    "reload", "--agent")).env("JAVA_HOME", System.getProperty("java.home")).env("JAVA_OPTS", javaOpts)
                    .start()) {
                assertEquals(0, reload.awaitExit(BOOT), reload.output());
                assertTrue(reload.output().contains("reload done: a new agent (pid "), reload.output());
                assertTrue(!reload.output().contains("still runs"), reload.output());
            }
            // The reply comes once the last new worker is ready; the last old one may still be draining.
            Map<String, String> builds = new java.util.TreeMap<>();
            await("the old workers gone").atMost(BOOT).pollInterval(Duration.ofMillis(500)).until(() -> {
                builds.clear();
                builds.putAll(buildsInStatus(launcher, javaOpts));
                return builds.size() == 4;
            });
            String master = builds.entrySet().stream().filter(e -> e.getKey().startsWith("master"))
                    .findFirst().orElseThrow().getValue();
            List<String> children = builds.entrySet().stream().filter(e -> !e.getKey().startsWith("master"))
                    .map(Map.Entry::getValue).distinct().toList();
            assertEquals(1, children.size(), "the agent and the workers run one build: " + builds);
            assertTrue(!children.get(0).equals(master) && !master.isEmpty(),
                    "the master runs the build it started from, the others the new one: " + builds);

            cluster.signal("TERM");
            assertEquals(0, cluster.awaitExit(BOOT), cluster.output());
        } finally {
            Files.writeString(prodConf, prodBefore);
        }
    }

    /** {@code status --json}: each process (role and pid) with its build. */
    private Map<String, String> buildsInStatus(Path launcher, String javaOpts) throws Exception {
        try (ClusterProcess status = ClusterProcess.builder(baseDir).command(List.of(launcher.toString(), "status",
                "--json")).env("JAVA_HOME", System.getProperty("java.home")).env("JAVA_OPTS", javaOpts).start()) {
            assertEquals(0, status.awaitExit(BOOT), status.output());
            Map<String, String> builds = new java.util.TreeMap<>();
            String json = status.output().lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow();
            for (com.typesafe.config.Config process : com.typesafe.config.ConfigFactory.parseString(json)
                    .getConfigList("processes")) {
                builds.put(process.getString("role") + " " + process.getLong("pid"), process.getString("build"));
            }
            return builds;
        }
    }

    @Test
    void mvnExecJavaStartsDevMode() throws Exception {
        List<String> command = List.of("mvn", "-B", "-q", "-f", PROJECT.resolve("pom.xml").toString(),
                "exec:java", "-Dclutch.baseDir=" + baseDir, "-Dclutch.http.host=127.0.0.1",
                "-Dexec.args=--port 0");
        try (ClusterProcess cluster = ClusterProcess.builder(baseDir).command(command).start()) {
            ClusterProcess.Ready ready = cluster.awaitReady(BOOT);
            assertEquals(1, ready.workerPids().size(), "env local: one worker");
            assertTrue(cluster.output().contains("dev mode: watching"), cluster.output());

            HttpResponse<String> hello = Http.get(ready.url("/hello"));
            assertEquals(200, hello.statusCode());
            assertTrue(hello.body().contains("Hello from hello-service"), hello.body());

            cluster.signal("TERM");
            assertEquals(0, cluster.awaitExit(BOOT));
        }
    }
}
