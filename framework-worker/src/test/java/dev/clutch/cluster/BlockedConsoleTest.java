package dev.clutch.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.clutch.core.testing.ClusterProcess;
import dev.clutch.core.testing.Http;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A console nobody reads (a paused terminal, a stuck log shipper) must not stop the cluster. */
class BlockedConsoleTest {

    private static final Duration BOOT = Duration.ofSeconds(60);
    /** Each line is about 190 bytes on the console: three requests log about 3 MiB, past every buffer on the way. */
    private static final int LINES_PER_REQUEST = 6000;

    @TempDir
    Path baseDir;

    @Test
    void workersKeepServingWhileTheMastersConsoleIsNotReadAndNothingIsLostFromTheLogFiles() throws Exception {
        try (ClusterProcess cluster = ClusterScenarios.start(baseDir, 1)) {
            ClusterProcess.Ready ready = cluster.awaitReady(BOOT);
            cluster.pauseOutput();

            for (int i = 0; i < 3; i++) {
                // Each within the client's 10 s: logging never waits for the master's console.
                assertEquals(200, Http.get(ready.url("/log/" + LINES_PER_REQUEST)).statusCode());
            }
            assertEquals(200, Http.get(ready.url("/_clutch/health")).statusCode());

            cluster.resumeOutput();
            cluster.awaitLine("bytes of console output (stderr) were dropped", Duration.ofSeconds(20));
            try (Stream<String> lines = Files.lines(baseDir.resolve("logs/worker-1.log"))) {
                assertEquals(3 * LINES_PER_REQUEST, lines.filter(l -> l.contains("TEST: console line")).count(),
                        "the worker's log file has every line the console dropped");
            }
        }
    }
}
