package dev.clutch.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clutch.core.testing.ClusterProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DrainTest {

    @TempDir
    Path baseDir;

    /** A request its handler takes {@code millis} to answer, once the handler has it. */
    private static CompletableFuture<HttpResponse<String>> slowRequestUnderWay(ClusterProcess cluster,
                                                                             ClusterProcess.Ready ready, int millis) {
        CompletableFuture<HttpResponse<String>> slow = HttpClient.newHttpClient().sendAsync(
                HttpRequest.newBuilder(URI.create(ready.url("/slow?ms=" + millis)))
                        .timeout(Duration.ofSeconds(40)).build(),
                HttpResponse.BodyHandlers.ofString());
        cluster.awaitLine("TEST: slow request", Duration.ofSeconds(10));
        return slow;
    }

    @Test
    void slowRequestInFlightWhileItsWorkerStopsCompletes() throws Exception {
        try (ClusterProcess cluster = ClusterScenarios.start(baseDir, 1)) {
            ClusterProcess.Ready ready = cluster.awaitReady(Duration.ofSeconds(60));
            CompletableFuture<HttpResponse<String>> slow = slowRequestUnderWay(cluster, ready, 1500);

            cluster.signal("TERM");

            HttpResponse<String> response = slow.get(20, TimeUnit.SECONDS);
            assertEquals(200, response.statusCode());
            assertEquals("slow done", response.body());
            assertEquals("close", response.headers().firstValue("connection").orElseThrow(),
                    "a draining worker closes the connection after the response");
            assertEquals(0, cluster.awaitExit(Duration.ofSeconds(30)));
        }
    }

    @Test
    void theFirstSignalDuringAStopAskedOnTheControlSocketKillsNothing() throws Exception {
        try (ClusterProcess cluster = ClusterScenarios.testApp(baseDir, 1)
                .property("clutch.worker.killTimeout", "30s").start()) {
            ClusterProcess.Ready ready = cluster.awaitReady(Duration.ofSeconds(60));
            // Long enough to outlast the start of the stop command's JVM on a busy machine.
            CompletableFuture<HttpResponse<String>> slow = slowRequestUnderWay(cluster, ready, 6000);

            try (ClusterProcess stop = ClusterScenarios.testApp(baseDir, 1).args("stop").start()) {
                cluster.awaitLine("stop requested on the control socket", Duration.ofSeconds(30));
                assertFalse(slow.isDone(), "the request is still in flight when the signal comes");
                // What systemd or docker sends next, while the workers drain.
                cluster.signal("TERM");

                HttpResponse<String> response = slow.get(40, TimeUnit.SECONDS);
                assertEquals(200, response.statusCode());
                assertEquals("slow done", response.body());
                assertEquals(0, cluster.awaitExit(Duration.ofSeconds(30)));
                assertTrue(cluster.output().contains("received SIGTERM: already stopping; another one kills every "
                        + "child"), cluster.output());
                assertEquals(0, stop.awaitExit(Duration.ofSeconds(30)));
            }
        }
    }
}
