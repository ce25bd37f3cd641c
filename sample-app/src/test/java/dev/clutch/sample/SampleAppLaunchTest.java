package dev.clutch.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clutch.core.testing.ClusterProcess;
import dev.clutch.core.testing.Http;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sample application starts the two ways a user starts it: as a program, and with {@code mvn exec:java}. */
class SampleAppLaunchTest {

    @TempDir
    Path baseDir;

    @Test
    void startsWithPlainJavaInTheProdEnvironment() throws Exception {
        try (ClusterProcess cluster = ClusterProcess.builder(baseDir)
                .mainClass(FlagsApp.class)
                .property("clutch.http.host", "127.0.0.1")
                .args("start", "--workers", "2", "--port", "0")
                .start()) {
            ClusterProcess.Ready ready = cluster.awaitReady(Duration.ofSeconds(60));

            assertEquals(2, ready.workerPids().size());
            assertTrue(cluster.output().contains("starting flags (env prod)"), cluster.output());
            assertEquals(200, Http.get(ready.url("/_clutch/health")).statusCode());
            cluster.signal("TERM");
            assertEquals(0, cluster.awaitExit(Duration.ofSeconds(30)));
        }
    }

    @Test
    void startsUnderMavenExecJavaInTheLocalEnvironment() throws Exception {
        Path pom = Path.of("pom.xml").toAbsolutePath();
        try (ClusterProcess cluster = ClusterProcess.builder(baseDir)
                .command(List.of("mvn", "-B", "-q", "-f", pom.toString(), "exec:java",
                        "-Dclutch.baseDir=" + baseDir, "-Dclutch.http.host=127.0.0.1",
                        "-Dexec.args=--port 0"))
                .start()) {
            ClusterProcess.Ready ready = cluster.awaitReady(Duration.ofSeconds(120));

            assertTrue(cluster.output().contains("starting flags (env local)"), cluster.output());
            assertEquals(1, ready.workerPids().size(), "env local runs one worker by default");
            assertTrue(cluster.output().contains("dev mode: watching"), cluster.output());
            assertEquals(200, Http.get(ready.url("/_clutch/health")).statusCode());
            cluster.signal("TERM");
            assertEquals(0, cluster.awaitExit(Duration.ofSeconds(30)));
        }
    }
}
