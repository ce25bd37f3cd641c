package dev.clutch.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clutch.core.testing.ClusterProcess;
import dev.clutch.core.testing.Http;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dev mode: a rebuild of the application's classes restarts the agent and workers on the new classes while the
 * master keeps the port; a broken build leaves the master waiting for the next one.
 */
class DevModeTest {

    private static final String GREETER = "dev.clutch.devtest.Greeter";
    private static final Duration RESTART = Duration.ofSeconds(30);

    @TempDir
    Path baseDir;

    @Test
    void aRebuildIsServedAndABrokenBuildWaitsForTheNextOne() throws Exception {
        Path classes = Files.createDirectories(baseDir.resolve("classes"));
        compileGreeter(classes, "v1");
        Path library = writeJar(baseDir.resolve("library.jar"), "first");
        try (ClusterProcess cluster = ClusterScenarios.testApp(baseDir, 1)
                .classpath(classes + File.pathSeparator + library + File.pathSeparator
                        + System.getProperty("java.class.path"))
                .property("clutch.dev.watch", "true")
                .property("clutch.dev.pollInterval", "100ms")
                .env("TEST_DEV_CLASS", GREETER)
                .start()) {
            ClusterProcess.Ready ready = cluster.awaitReady(Duration.ofSeconds(60));
            assertEquals("v1", greeting(ready));

            // A rebuild whose configuration has a typo: warned about as at a start; and a changed setting of the
            // master's, which every process keeps as the master started.
            Files.writeString(classes.resolve("application.conf"),
                    "clutch.workrs = 1\nclutch.worker.killTimeout = 7s\n");
            compileGreeter(classes, "v2");
            await("the rebuilt class is served").atMost(RESTART).pollInterval(Duration.ofMillis(100))
                    .until(() -> "v2".equals(greetingOrNull(ready)));
            assertTrue(cluster.output().contains("dev mode: classes changed: restarting the agent and workers"));
            cluster.awaitLine("unknown configuration key clutch.workrs", Duration.ofSeconds(5));
            cluster.awaitLine("setting changed in the files on disk: clutch.worker.killTimeout = 7s (",
                    Duration.ofSeconds(5));
            assertTrue(cluster.output().contains("application.conf, line 2): a setting of the master, every process "
                    + "keeps 5s until a stop and a start"), cluster.output());
            // The worker on the rebuilt classes is its slot's first, not a replacement.
            try (ClusterProcess status = ClusterScenarios.testApp(baseDir, 1).args("status", "--json").start()) {
                assertEquals(0, status.awaitExit(RESTART), status.output());
                assertTrue(status.output().contains("\"role\":\"worker\"") && !status.output().matches(
                        "(?s).*\"restarts\":[1-9].*"), status.output());
            }

            Files.write(classes.resolve(GREETER.replace('.', '/') + ".class"), new byte[] {1, 2, 3});
            await("the restart for the broken class").atMost(RESTART).pollInterval(Duration.ofMillis(50))
                    .until(() -> cluster.output().split("dev mode: classes changed: restarting", -1).length == 3);
            // A start that fails while a build is still writing files is not said to be the code's fault.
            ScheduledExecutorService build = Executors.newSingleThreadScheduledExecutor();
            Path building = classes.resolve("still-building.txt");
            build.scheduleAtFixedRate(() -> {
                try {
                    Files.writeString(building, Long.toString(System.nanoTime()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, 0, 100, TimeUnit.MILLISECONDS);
            try {
                cluster.awaitLine("dev mode: the start failed while a build was rewriting the classes", RESTART);
            } finally {
                build.shutdownNow();
                assertTrue(build.awaitTermination(5, TimeUnit.SECONDS));
            }
            assertFalse(cluster.output().contains("dev mode: fix the code and rebuild"), cluster.output());
            // Once the build is still, the master starts again on its classes, which fail on their own this time.
            cluster.awaitLine("dev mode: fix the code and rebuild", RESTART);
            assertTrue(cluster.process().isAlive(), "the master stays up");
            assertTrue(cluster.output().contains("ClassFormatError"), cluster.output());

            compileGreeter(classes, "v3");
            await("the fixed build is served on the same port").atMost(RESTART).pollInterval(Duration.ofMillis(100))
                    .until(() -> "v3".equals(greetingOrNull(ready)));

            // A jar rewritten in place (an mvn install while the application runs) breaks the JVMs that have it open.
            writeJar(library, "second, longer");
            cluster.awaitLine("dev mode: " + library + " changed under the running master", RESTART);
        }
    }

    @Test
    void aReloadAfterAFailedStartStartsAgainWithoutARebuild() throws Exception {
        // What failed lies outside the classes: a database that was down, say.
        Path down = Files.createFile(baseDir.resolve("database-down"));
        try (ClusterProcess cluster = ClusterScenarios.testApp(baseDir, 1)
                .property("clutch.dev.watch", "true")
                .env("TEST_AGENT_CRASH_FILE", down.toString())
                .start()) {
            cluster.awaitLine("dev mode: fix the code and rebuild", Duration.ofSeconds(60));

            try (ClusterProcess reload = ClusterScenarios.testApp(baseDir, 1).args("reload").start()) {
                assertEquals(1, reload.awaitExit(RESTART), reload.output());
                assertTrue(reload.output().contains("reload aborted: the agent and workers failed to start again "
                        + "(the master's log says why)"), reload.output());
            }
            Files.delete(down);
            try (ClusterProcess reload = ClusterScenarios.testApp(baseDir, 1).args("reload").start()) {
                assertEquals(0, reload.awaitExit(RESTART), reload.output());
                assertTrue(reload.output().contains("reload done: a new agent (pid "), reload.output());
            }
            ClusterProcess.Ready ready = cluster.awaitReady(Duration.ofSeconds(5));
            assertEquals(Long.toString(ready.workerPids().get(0)), Http.get(ready.url("/pid")).body());
        }
    }

    private static Path writeJar(Path jar, String content) throws IOException {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("content.txt"));
            out.write(content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return jar;
    }

    private static String greeting(ClusterProcess.Ready ready) throws IOException, InterruptedException {
        return Http.get(ready.url("/dev/greeting")).body();
    }

    private static String greetingOrNull(ClusterProcess.Ready ready) {
        try {
            return greeting(ready);
        } catch (IOException | InterruptedException e) {
            return null;
        }
    }

    private void compileGreeter(Path classes, String greeting) throws IOException {
        TestClasses.compile(classes, baseDir.resolve("src"), GREETER, "package dev.clutch.devtest;\n"
                + "public final class Greeter {\n"
                + "    public static String greeting() { return \"" + greeting + "\"; }\n}\n");
    }
}
