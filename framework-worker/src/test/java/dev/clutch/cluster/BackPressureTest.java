package dev.clutch.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clutch.core.message.ControlReply;
import dev.clutch.core.message.PayloadCodec;
import dev.clutch.core.testing.ClusterProcess;
import dev.clutch.core.testing.RawHttp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sender that outruns its receiver: held back at its source, and nothing lost; a receiver stuck for longer than
 * the grace no longer holds its senders back. Small pending limits make the bounds reachable quickly.
 */
class BackPressureTest {

    @TempDir
    static Path baseDir;
    static ClusterProcess cluster;
    static ClusterProcess.Ready ready;

    @BeforeAll
    static void startCluster() throws IOException {
        cluster = ClusterScenarios.testApp(baseDir, 2).property("clutch.ipc.maxPendingBytes", "64KiB").start();
        ready = cluster.awaitReady(Duration.ofSeconds(60));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String get(String what) throws IOException {
        return ClusterScenarios.messenger(ready, what);
    }

    /** The cluster's lines from number {@code from} on: each test looks only at what its own actions logged. */
    private static java.util.stream.Stream<String> linesSince(int from) {
        return cluster.lines().stream().skip(from);
    }

    /** A request to a random worker through the control socket, as the test kit sends it; the reply's text. */
    private static String requestRandomWorker(String action) throws IOException {
        ControlReply reply = ClusterScenarios.controlRequest(baseDir, "random", action, Duration.ofSeconds(5));
        assertTrue(reply.ok(), reply.text());
        PayloadCodec codec = PayloadCodec.of(List.of(), 1024 * 1024);
        String payload = reply.json().replaceAll(".*\"payload\":\"([^\"]*)\".*", "$1");
        return String.valueOf(codec.read(Base64.getDecoder().decode(payload)));
    }

    /** {@code key} as worker {@code pid} has it, over as many requests as it takes to reach that worker. */
    private static String stateOf(String pid, String key) throws IOException {
        for (int i = 0; i < 16; i++) {
            RawHttp.Reply reply = RawHttp.get(ready.port(), "/state/" + key);
            if (pid.equals(reply.header("X-Clutch-Worker"))) {
                return reply.body();
            }
        }
        return "(not reached)";
    }

    @Test
    void aSenderThatOutrunsAStalledReceiverIsHeldBackAndEveryMessageArrivesInOrder() throws Exception {
        String workers = ready.workerPids().get(0) + "," + ready.workerPids().get(1);
        // More than the worker queues for its handler, plus what both connections may have pending.
        int total = 40_000;

        String flood = get("flood?notMe=" + workers + "&n=" + total + "&stallMillis=1000");

        assertTrue(flood.matches("sent " + total + " to \\d+, held back [1-9]\\d* times"),
                "the agent's sends failed with 'slow down' while the worker was stalled: " + flood);
        String worker = flood.replaceAll("sent \\d+ to (\\d+),.*", "$1");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertEquals(total + " in order", get("counted?pid=" + worker)));
    }

    @Test
    void messagesHeldForAWorkerStillStartingAreBoundedInBytes(@TempDir Path otherDir) throws Exception {
        Path hold = otherDir.resolve("hold-new-workers");
        try (ClusterProcess small = ClusterScenarios.testApp(otherDir, 1)
                .property("clutch.ipc.maxPendingBytes", "64KiB")
                .env("TEST_WORKER_HOLD_FILE", hold.toString()).start()) {
            ClusterProcess.Ready one = small.awaitReady(Duration.ofSeconds(60));
            Files.createFile(hold);
            try (ClusterProcess scale = ClusterScenarios.testApp(otherDir, 1).args("scale", "2").start()) {
                assertEquals(0, scale.awaitExit(Duration.ofSeconds(60)), scale.output());
            }
            small.awaitLine("launched worker-2 (pid ", Duration.ofSeconds(10));
            String newcomer = small.lines().stream().filter(l -> l.contains("launched worker-2 (pid ")).findFirst()
                    .orElseThrow().replaceAll(".*launched worker-2 \\(pid (\\d+)\\).*", "$1");

            // Far more than 64 KiB of messages for a worker that is not ready: the master holds what fits.
            String flood = ClusterScenarios.messenger(one, "flood?pid=" + newcomer + "&n=5000&stallMillis=0");

            assertTrue(flood.startsWith("sent 5000 to " + newcomer), flood);
            small.awaitLine("(pid " + newcomer + ") is still starting and already holds", Duration.ofSeconds(10));
            assertTrue(small.lines().stream().anyMatch(l -> l.contains("bytes of messages (at most "
                    + "clutch.ipc.maxPendingBytes, 65536)")), small.output());
            Files.delete(hold);
            small.awaitLine("worker-2 (pid " + newcomer + ") is ready", Duration.ofSeconds(30));
            await("what was held arrives, in order").atMost(Duration.ofSeconds(10)).until(() ->
                    ClusterScenarios.messenger(one, "counted?pid=" + newcomer).endsWith(" in order"));
            String counted = ClusterScenarios.messenger(one, "counted?pid=" + newcomer);
            int held = Integer.parseInt(counted.split(" ")[0]);
            assertTrue(held > 0 && held < 5000, counted);
        }
    }

    @Test
    void aReceiverStuckLongerThanTheGraceStopsHoldingBackItsSendersAndItsMessagesAreReported() throws Exception {
        String workers = ready.workerPids().get(0) + "," + ready.workerPids().get(1);
        int total = 40_000;

        // The stall outlasts the 2 s grace: the agent is held back, then goes on, and its sends to the stuck
        // worker are reported undeliverable instead of waiting. (The other worker serves this request: the stuck
        // one reads nothing until its handlers catch up.)
        // Then, while it is still stuck, state changes, more than its connection may hold: not queued for it
        // without bound, but given to it as one snapshot once it catches up.
        int linesBefore = cluster.lines().size();
        String flood = get("flood?notMe=" + workers + "&n=" + total + "&stallMillis=8000&stateChanges=200"
                + "&stateBytes=1000");

        assertTrue(flood.startsWith("sent " + total + " to "), flood);
        String stuck = flood.replaceAll("sent \\d+ to (\\d+),.*", "$1");
        assertTrue(linesSince(linesBefore).noneMatch(l -> l.contains("(pid " + stuck + ") has caught up")),
                "the agent went on while the worker was still stuck");
        assertTrue(linesSince(linesBefore).anyMatch(l -> l.contains("(pid " + stuck + ") is not keeping up")),
                "the master says which process fell behind");
        // While it is stuck, a message for a random worker goes to the other one instead of failing.
        for (int i = 0; i < 8; i++) {
            String whoami = requestRandomWorker("whoami");
            assertTrue(!whoami.endsWith(":" + stuck), "a random worker's message reached the stuck one: " + whoami);
        }
        assertTrue(linesSince(linesBefore).anyMatch(l -> l.contains("(pid " + stuck + ") is not reading its "
                + "messages: it gets the whole state once it catches up")), cluster.output());
        await().atMost(Duration.ofSeconds(10)).until(() -> linesSince(linesBefore).anyMatch(l ->
                l.contains("'count' could not be delivered") && l.contains("is not keeping up")));
        await().atMost(Duration.ofSeconds(30)).until(() -> linesSince(linesBefore).anyMatch(l ->
                l.contains("(pid " + stuck + ") has caught up")));
        await("the stuck worker has the latest state").atMost(Duration.ofSeconds(10)).until(() ->
                stateOf(stuck, "burst").startsWith("200:"));
    }

    @Test
    void failedRequestsOfAProcessThatReadsNothingAreNotQueuedForItInTheMaster() throws Exception {
        String workers = ready.workerPids().get(0) + "," + ready.workerPids().get(1);
        int linesBefore = cluster.lines().size();
        String flood = get("flood?notMe=" + workers + "&n=40000&stallMillis=12000");
        String stuck = flood.replaceAll("sent \\d+ to (\\d+),.*", "$1");

        // The stuck worker's HTTP threads still serve: its requests to no one fail in the master, and the notices
        // would go to a process that reads nothing. The master keeps none of them: they fail at their timeout.
        String failures = onWorker(stuck, "/msg/ask-nobody?n=1000");
        assertTrue(failures.matches("\\{(BACK_PRESSURE=\\d+, )?TIMED_OUT=\\d+}"),
                "the stuck worker's requests failed at their timeout or at the source: " + failures);
        // Still stuck, it asks the agent, which answers at once, and asks a process that does not exist: neither
        // outcome can be delivered to it, and once it reads again both requests fail then, not after their 90 s
        // timeout.
        onWorker(stuck, "/msg/ask-patiently?to=agent");
        onWorker(stuck, "/msg/ask-patiently?to=nobody");
        // The master says so, at most a line a second: one more request after the burst shows it.
        await("the master logs what it did not tell yet").atMost(Duration.ofSeconds(8))
                .pollInterval(Duration.ofMillis(300)).until(() -> {
                    RawHttp.get(ready.port(), "/msg/ask-nobody?n=1");
                    return linesSince(linesBefore).anyMatch(l -> l.contains("reached no one: no process of this "
                            + "cluster has pid 999999999 (its sender is not reading its messages: told once it "
                            + "catches up)") && l.contains("(pid " + stuck + ")"));
                });

        await("once it reads again, its requests are told at once").atMost(Duration.ofSeconds(60)).until(() -> {
            RawHttp.Reply reply = RawHttp.get(ready.port(), "/msg/ask-nobody?n=100");
            return stuck.equals(reply.header("X-Clutch-Worker")) && reply.body().equals("{UNDELIVERABLE=100}");
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> linesSince(linesBefore).anyMatch(l ->
                l.contains("(pid " + stuck + ") has caught up")));
        await("its request that reached no one while it was stuck fails").atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertEquals("failed (UNDELIVERABLE): 'whoami' could not be delivered: no "
                        + "process of this cluster has pid 999999999",
                        onWorker(stuck, "/msg/patient-outcome?to=nobody")));
        await("its request answered while it was stuck fails").atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertTrue(onWorker(stuck, "/msg/patient-outcome?to=agent").matches("failed \\(HANDLER_FAILED\\): "
                        + "agent \\(pid \\d+\\) answered, but the answer was dropped: worker-\\d+ \\(pid " + stuck
                        + "\\) was not keeping up with its messages .*")));
    }

    /** GET {@code path} from worker {@code pid}, over as many connections as it takes to reach it. */
    private static String onWorker(String pid, String path) throws IOException {
        for (int i = 0; i < 32; i++) {
            RawHttp.Reply reply = RawHttp.get(ready.port(), path);
            if (pid.equals(reply.header("X-Clutch-Worker"))) {
                assertEquals(200, reply.status(), reply.body());
                return reply.body();
            }
        }
        throw new AssertionError("worker " + pid + " was not reached in 32 connections to port " + ready.port());
    }
}
