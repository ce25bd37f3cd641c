package dev.clutch.sample;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clutch.core.testing.ClusterProcess;
import dev.clutch.core.testing.RawHttp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged application as operators run it: {@code java -jar target/flags.jar start --daemon}, then commands. */
class RunnableJarIT {

    private static final Path JAR = Path.of("target", "flags.jar").toAbsolutePath();

    @TempDir
    Path baseDir;

    private ClusterProcess jar(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Dclutch.baseDir=" + baseDir, "-Dclutch.http.host=127.0.0.1",
                "-Dclutch.cds.dir=" + baseDir.resolve("cds"), "-jar", JAR.toString()));
        command.addAll(List.of(args));
        return ClusterProcess.builder(baseDir).command(command).start();
    }

    @Test
    void startDaemonStatusAndStopFromTheRunnableJar() throws Exception {
        assertTrue(Files.exists(JAR), JAR + " is built by the package phase");
        try (ClusterProcess start = jar("start", "--daemon", "--workers", "2", "--port", "0")) {
            assertEquals(0, start.awaitExit(Duration.ofSeconds(90)), start.output());
            ClusterProcess.Ready ready = start.awaitReady(Duration.ofSeconds(1));
            assertEquals(200, RawHttp.get(ready.port(), "/_clutch/health").status());

            try (ClusterProcess status = jar("status")) {
                assertEquals(0, status.awaitExit(Duration.ofSeconds(60)), status.output());
                assertTrue(status.output().contains("flags running"), status.output());
                for (long worker : ready.workerPids()) {
                    assertTrue(status.output().contains(Long.toString(worker)), status.output());
                }
            }
            try (ClusterProcess stop = jar("stop")) {
                assertEquals(0, stop.awaitExit(Duration.ofSeconds(60)), stop.output());
            }
            await("every process gone").atMost(Duration.ofSeconds(10)).until(() -> start.livePids().isEmpty());
        }
    }

    @Test
    void childrenStartFromTheClassDataArchiveTheFirstCleanExitRecorded() throws Exception {
        try (ClusterProcess first = jar("start", "--workers", "1", "--port", "0")) {
            first.awaitReady(Duration.ofSeconds(90));
            first.signal("TERM");
            assertEquals(0, first.awaitExit(Duration.ofSeconds(60)), first.output());
            assertTrue(first.output().contains("class-data sharing: children start from"), first.output());
        }
        try (ClusterProcess second = jar("start", "--workers", "1", "--port", "0")) {
            ClusterProcess.Ready ready = second.awaitReady(Duration.ofSeconds(90));
            assertTrue(ClusterProcess.commandLine(ready.workerPids().get(0)).contains("-XX:SharedArchiveFile="
                    + baseDir.resolve("cds")), "the worker maps the archive");
            assertTrue(ClusterProcess.commandLine(ready.agentPid()).contains("-XX:SharedArchiveFile="));
            assertEquals(200, RawHttp.get(ready.port(), "/flags").status());
            assertTrue(second.output().lines().noneMatch(l -> l.contains("[warning]")), second.output());
            second.signal("TERM");
            assertEquals(0, second.awaitExit(Duration.ofSeconds(60)));
        }
    }
}
