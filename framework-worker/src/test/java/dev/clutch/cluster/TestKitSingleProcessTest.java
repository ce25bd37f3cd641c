package dev.clutch.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clutch.core.api.Messenger;
import dev.clutch.core.api.testing.ClutchTest;
import dev.clutch.core.api.testing.TestCluster;
import dev.clutch.core.testing.Http;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The test kit, single-process: the application in this JVM, with its messenger and shared state at hand. */
@ClutchTest(value = TestApp.class, config = {"clutch.state.file = flags.conf",
        "clutch.state.filePollInterval = 50ms"}, files = "testkit/flags.conf")
class TestKitSingleProcessTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @Test
    void servesHttpFromThisJvm(TestCluster app) throws Exception {
        assertEquals(ClutchTest.Mode.SINGLE, app.mode());
        assertEquals(Long.toString(ProcessHandle.current().pid()), Http.get(app.baseUrl() + "/pid").body());
        assertEquals("hello", Http.get(app.uri("/state/banner").toString()).body());
        assertTrue(Files.isRegularFile(app.baseDir().resolve("flags.conf")), "the listed files are copied");
    }

    @Test
    void theMessengerReachesTheAgentAndTheWorker(TestCluster app) throws Exception {
        Messenger messenger = app.messenger();

        TestApp.Greeting reply = (TestApp.Greeting) messenger.request(Messenger.Target.agent(), "echo",
                new TestApp.Greeting("kit", 1), TIMEOUT).get();
        assertEquals(new TestApp.Greeting("kit from agent", 2), reply);
        assertEquals("worker-1:" + ProcessHandle.current().pid(), messenger.request(Messenger.Target.randomWorker(),
                "whoami", null, TIMEOUT).get());

        ExecutionException noHandler = assertThrows(ExecutionException.class,
                () -> messenger.request(Messenger.Target.agent(), "nobody", null, TIMEOUT).get());
        assertEquals("no handler for 'nobody' in agent", noHandler.getCause().getMessage());
        assertEquals(Messenger.MessageFailedException.Reason.HANDLER_FAILED,
                ((Messenger.MessageFailedException) noHandler.getCause()).reason());
        Executable unregistered = () -> messenger.sendToWorkers("record", new StringBuilder("not registered"));
        assertThrows(IllegalArgumentException.class, unregistered);
    }

    @Test
    void aSenderThatOutrunsASlowReceiverIsHeldBackInsteadOfQueuingWithoutBound(TestCluster app) throws Exception {
        long pid = ProcessHandle.current().pid();

        // The worker's handler stalls on the first message while the agent sends the others as fast as it can.
        String flood = Http.get(app.baseUrl() + "/msg/flood?pid=" + pid + "&n=60000&stallMillis=2000").body();

        assertTrue(flood.matches("sent 60000 to " + pid + ", held back [1-9]\\d* times"), flood);
        await("every message arrives, in order").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> Http.get(app.baseUrl() + "/msg/counted?pid=" + pid).body().equals("60000 in order"));
    }

    @Test
    void theSharedStateIsTheAgentsPublishedState(TestCluster app) throws Exception {
        assertEquals("hello", app.sharedState().get("banner"));

        Files.writeString(app.baseDir().resolve("flags.conf"), "banner = bye\n");

        await("the change is published").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> "bye".equals(app.sharedState().get("banner")));
        assertEquals("bye", Http.get(app.baseUrl() + "/state/banner").body());
    }
}
