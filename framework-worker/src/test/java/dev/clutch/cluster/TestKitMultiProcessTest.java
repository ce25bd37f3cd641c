package dev.clutch.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clutch.core.api.Messenger;
import dev.clutch.core.api.testing.ClutchTest;
import dev.clutch.core.api.testing.TestCluster;
import dev.clutch.core.testing.ClusterProcess;
import dev.clutch.core.testing.RawHttp;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** The test kit, multi-process: a real cluster on a free port, reached over HTTP and through its master. */
@ClutchTest(value = TestApp.class, mode = ClutchTest.Mode.MULTI, workers = 2, env = "kitmulti",
        config = {"clutch.state.file = flags.conf",
                "clutch.worker.jvmArgs = ${clutch.worker.jvmArgs} [\"-Dkit.marker=on\"]"},
        files = "testkit/flags.conf")
class TestKitMultiProcessTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @Test
    void bootsARealClusterOnAFreePort(TestCluster app) throws Exception {
        assertEquals(2, app.workerPids().size());
        long self = ProcessHandle.current().pid();
        assertNotEquals(self, app.agentPid());
        assertTrue(ClusterProcess.isRunning(app.agentPid()));

        Set<Long> served = new HashSet<>();
        for (int i = 0; i < 40 && served.size() < 2; i++) {
            served.add(Long.parseLong(RawHttp.get(app.port(), "/pid").body()));
        }
        assertEquals(new HashSet<>(app.workerPids()), served, "both workers serve the port");
    }

    @Test
    void theTestsConfigReachesTheClusterWithItsSubstitutionsResolved(TestCluster app) throws Exception {
        String worker = ClusterProcess.commandLine(app.workerPids().get(0));
        assertTrue(worker.contains("-Dkit.marker=on"), worker);
        assertTrue(worker.contains("-XX:+UseSerialGC"), "the default options stay: " + worker);
    }

    @Test
    void theMessengerReachesEveryProcessThroughTheMaster(TestCluster app) throws Exception {
        Messenger messenger = app.messenger();

        assertEquals(new TestApp.Greeting("kit from agent", 2), messenger.request(Messenger.Target.agent(), "echo",
                new TestApp.Greeting("kit", 1), TIMEOUT).get());
        long worker = app.workerPids().get(1);
        assertEquals("worker-2:" + worker, messenger.request(Messenger.Target.pid(worker), "whoami", null, TIMEOUT)
                .get());
        ExecutionException unknown = assertThrows(ExecutionException.class, () -> messenger.request(
                Messenger.Target.pid(999_999_999L), "whoami", null, TIMEOUT).get());
        assertTrue(unknown.getCause().getMessage().contains("no process of this cluster has pid 999999999"),
                unknown.getCause().getMessage());
        // The same reason as a cluster process's messenger gives, though the master relayed it.
        assertEquals(Messenger.MessageFailedException.Reason.UNDELIVERABLE,
                ((Messenger.MessageFailedException) unknown.getCause()).reason());

        assertEquals("no process has pid 0: a pid is a positive number", assertThrows(
                IllegalArgumentException.class, () -> messenger.sendTo(0, "whoami", null)).getMessage());
        // Thrown at the call, nothing sent, as a cluster process's messenger does.
        assertThrows(NullPointerException.class, () -> messenger.request(Messenger.Target.agent(), "whoami", null,
                null));
        // A timeout of weeks is a timeout, not a malformed command to the master.
        assertEquals("agent:" + app.agentPid(), messenger.request(Messenger.Target.agent(), "whoami", null,
                Duration.ofDays(30)).get(60, java.util.concurrent.TimeUnit.SECONDS));

        messenger.sendToWorkers("record", new TestApp.Greeting("kit", 1));
        await("both workers acknowledged to the agent").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    String acks = messenger.<String>request(Messenger.Target.agent(), "acks", null, TIMEOUT).get();
                    return acks.contains("worker-1 got kit from master") && acks.contains("worker-2 got kit from "
                            + "master");
                });
        assertThrows(UnsupportedOperationException.class, () -> messenger.on("x", m -> null));
    }

    @Test
    void payloadsOverTheControlSocketsOldLimitGoBothWays(TestCluster app) throws Exception {
        String large = "x".repeat(5 << 20);

        TestApp.Greeting echoed = app.messenger().<TestApp.Greeting>request(Messenger.Target.agent(), "echo",
                new TestApp.Greeting(large, 1), Duration.ofSeconds(30)).get();

        assertEquals(large + " from agent", echoed.name());
    }

    @Test
    void theSharedStateIsReadFromTheMaster(TestCluster app) {
        assertEquals("hello", app.sharedState().get("banner"));
    }
}
