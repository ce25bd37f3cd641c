package dev.clutch.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.clutch.core.control.ControlClient;
import dev.clutch.core.message.ControlReply;
import dev.clutch.core.message.ControlRequest;
import dev.clutch.core.message.PayloadCodec;
import dev.clutch.core.testing.ClusterProcess;
import dev.clutch.core.testing.RawHttp;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/** Starting a {@link TestApp} master the way every scenario here does. */
final class ClusterScenarios {

    private ClusterScenarios() {
    }

    static ClusterProcess.Builder testApp(Path baseDir, int workers) {
        return ClusterProcess.builder(baseDir)
                .mainClass(TestApp.class)
                .property("clutch.workers", Integer.toString(workers))
                .property("clutch.http.host", "127.0.0.1")
                .property("clutch.http.port", "0");
    }

    static ClusterProcess start(Path baseDir, int workers) throws IOException {
        return testApp(baseDir, workers).start();
    }

    /**
     * Starts a master that must fail to start and returns its console once it exited with {@code exitCode} and
     * every process it started is gone.
     */
    static String failedStart(ClusterProcess.Builder builder, int exitCode) throws IOException, InterruptedException {
        try (ClusterProcess cluster = builder.start()) {
            assertEquals(exitCode, cluster.awaitExit(Duration.ofSeconds(60)), cluster.output());
            StartFailureTest.assertNothingLeft(cluster);
            return cluster.output();
        }
    }

    /** Drives a worker's messenger through {@code GET /msg/{what}} and returns its 200 answer. */
    static String messenger(ClusterProcess.Ready ready, String what) throws IOException {
        RawHttp.Reply reply = RawHttp.get(ready.port(), "/msg/" + what);
        assertEquals(200, reply.status(), reply.body());
        return reply.body();
    }

    /**
     * A payload-less {@code message <target> <action> request} through the instance's control socket, as the test
     * kit sends it; the master's reply.
     */
    static ControlReply controlRequest(Path baseDir, String target, String action, Duration timeout)
            throws IOException {
        String noPayload = Base64.getEncoder().encodeToString(PayloadCodec.of(List.of(), 1024 * 1024).write(null));
        return new ControlClient(baseDir.resolve("run/control.sock"), 1024 * 1024).send(new ControlRequest("message",
                new String[] {target, action, "request", Long.toString(timeout.toMillis()), noPayload}),
                timeout.plusSeconds(10));
    }
}
