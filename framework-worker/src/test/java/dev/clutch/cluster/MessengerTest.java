package dev.clutch.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clutch.core.testing.ClusterProcess;
import dev.clutch.core.testing.RawHttp;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The messenger between real processes: every route, request and reply, and every way a message can fail. */
class MessengerTest {

    @TempDir
    static Path baseDir;
    static ClusterProcess cluster;
    static ClusterProcess.Ready ready;

    @BeforeAll
    static void startCluster() throws IOException {
        // Each worker asks the agent something while it starts, and waits for the answer.
        cluster = ClusterScenarios.testApp(baseDir, 2).env("TEST_WORKER_ASKS_AGENT", "1").start();
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

    @Test
    void requestToTheAgentIsAnsweredWithARegisteredPayload() throws Exception {
        assertEquals("ada from agent", get("echo-agent?name=ada"));
    }

    @Test
    void aProcessStillStartingGetsTheAnswersToItsOwnRequests() throws Exception {
        // Messages for a process that is starting wait until it is ready; the answers it waits for must not.
        for (int worker = 1; worker <= 2; worker++) {
            assertTrue(cluster.log("worker-" + worker + ".log").contains("TEST: the agent answered while worker-"
                    + worker + " starts: agent:" + ready.agentPid()), cluster.output());
        }
    }

    @Test
    void requestToAPidReachesThatProcess() throws Exception {
        for (long worker : ready.workerPids()) {
            assertTrue(get("whoami-pid?pid=" + worker).endsWith(":" + worker));
        }
        assertEquals("agent:" + ready.agentPid(), get("whoami-pid?pid=" + ready.agentPid()));
    }

    @Test
    void requestToARandomWorkerReachesEachWorkerOverTime() throws Exception {
        Set<String> answered = new HashSet<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            answered.add(get("whoami-random").split(":")[0]);
            return answered.equals(Set.of("worker-1", "worker-2"));
        });
    }

    @Test
    void broadcastReachesTheAgentAndEveryWorker() throws Exception {
        get("broadcast?name=news");
        await("every process got it").atMost(Duration.ofSeconds(10)).until(() -> {
            String acks = get("acks");
            return acks.contains("agent got news from worker") && acks.contains("worker-1 got news from worker")
                    && acks.contains("worker-2 got news from worker");
        });
    }

    @Test
    void requestWithoutAnswerInTimeFails() throws Exception {
        assertEquals("failed (TIMED_OUT): no reply to 'slow' within 200 ms", get("slow-agent"));
    }

    @Test
    void aHandlerThatOverflowsItsStackFailsItsRequestAndTheNextMessagesAreStillHandled() throws Exception {
        String overflowed = "failed (HANDLER_FAILED): agent failed to handle 'overflow': java.lang.StackOverflowError";
        assertEquals(overflowed, get("overflow-agent"));
        assertEquals("ada from agent", get("echo-agent?name=ada"));
        assertEquals(overflowed, get("overflow-agent"));
        assertEquals("bo from agent", get("echo-agent?name=bo"));
    }

    @Test
    void requestForAnActionNoOneHandlesFailsNamingTheProcess() throws Exception {
        assertEquals("failed (HANDLER_FAILED): no handler for 'nobody' in agent", get("nobody"));
    }

    @Test
    void messageToAnUnknownPidIsReportedToTheSender() throws Exception {
        assertEquals("failed (UNDELIVERABLE): 'whoami' could not be delivered: no process of this cluster has pid "
                + "999999999",
                get("unknown-pid"));
    }

    @Test
    void aPidNoProcessCanHaveIsRefusedAtTheSenderWhichServesOn() throws Exception {
        RawHttp.Reply reply = RawHttp.get(ready.port(), "/msg/pid-zero");
        assertTrue(reply.body().startsWith("refused: no process has pid 0"), reply.body());
        // The sender's connection to the master stays (the master closes one that sends it a frame it cannot
        // route, and the process then exits).
        long sender = Long.parseLong(reply.header("X-Clutch-Worker"));
        await("the sender lives on").during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                .until(() -> ProcessHandle.of(sender).map(ProcessHandle::isAlive).orElse(false));
    }

    @Test
    void unregisteredPayloadIsRefusedAtTheSender() throws Exception {
        String answer = get("unregistered");
        assertTrue(answer.startsWith("refused: cannot send a java.lang.StringBuilder: it is not a registered "
                + "payload type; add PayloadType.of(<id >= 1000>, StringBuilder.class)"), answer);
    }

    @Test
    void payloadOverTheFrameLimitIsRefusedAtTheSender() throws Exception {
        String answer = get("oversized");
        assertTrue(answer.startsWith("refused: cannot send a java.lang.String: it is larger than "
                + "clutch.ipc.maxFrameBytes (16777216 bytes)"), answer);
    }

    @Test
    void processesWithDifferentPayloadTypesNeverTalkAndTheStartFailsNamingThem(@TempDir Path otherDir)
            throws Exception {
        try (ClusterProcess mismatched = ClusterScenarios.testApp(otherDir, 1)
                .env("TEST_WORKER_EXTRA_PAYLOAD", "1")
                .start()) {
            assertEquals(3, mismatched.awaitExit(Duration.ofSeconds(60)));
            assertTrue(mismatched.output().contains("registers other payload types than the master (only it has "
                    + "1999=dev.clutch.cluster.TestApp$Extra(java.lang.String value))"), mismatched.output());
        }
    }

    @Test
    void messageForAWorkerStillStartingIsHeldUntilItIsReady(@TempDir Path otherDir) throws Exception {
        try (ClusterProcess small = ClusterScenarios.start(otherDir, 1)) {
            ClusterProcess.Ready one = small.awaitReady(Duration.ofSeconds(60));
            try (ClusterProcess scale = ClusterScenarios.testApp(otherDir, 1).args("scale", "2").start()) {
                assertEquals(0, scale.awaitExit(Duration.ofSeconds(60)), scale.output());
            }
            small.awaitLine("launched worker-2 (pid ", Duration.ofSeconds(10));
            String launched = small.lines().stream().filter(l -> l.contains("launched worker-2 (pid ")).findFirst()
                    .orElseThrow();
            long newcomer = Long.parseLong(launched.replaceAll(".*launched worker-2 \\(pid (\\d+)\\).*", "$1"));
            int linesWhenSent = small.lines().size();
            assertTrue(small.lines().stream().noneMatch(l -> l.contains("(pid " + newcomer + ") is ready")),
                    "a JVM takes far longer to start than this test to send");

            RawHttp.Reply reply = RawHttp.get(one.port(), "/msg/whoami-pid?pid=" + newcomer);

            assertEquals("worker-2:" + newcomer, reply.body());
            List<String> after = small.lines().subList(linesWhenSent, small.lines().size());
            assertTrue(after.stream().anyMatch(l -> l.contains("(pid " + newcomer + ") is ready")),
                    "the newcomer became ready after the message was sent: it was held until then");
        }
    }
}
