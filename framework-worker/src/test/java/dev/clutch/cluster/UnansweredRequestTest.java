package dev.clutch.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clutch.core.api.Messenger;
import dev.clutch.core.api.testing.ClutchTest;
import dev.clutch.core.api.testing.TestCluster;
import dev.clutch.core.testing.RawHttp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A request delivered to a process that then dies fails at once, naming that process, instead of waiting out its
 * timeout (a minute here): from a worker to another worker, from a worker to the agent, from the master (the test
 * kit's messenger) to a worker.
 */
@ClutchTest(value = TestApp.class, mode = ClutchTest.Mode.MULTI, workers = 2)
class UnansweredRequestTest {

    /** Far below the requests' own minute: only the death of their receiver can end them this soon. */
    private static final Duration PROMPTLY = Duration.ofSeconds(15);
    private final ExecutorService clients = Executors.newCachedThreadPool();

    @AfterEach
    void stopClients() throws InterruptedException {
        clients.shutdownNow();
        clients.awaitTermination(15, TimeUnit.SECONDS);
    }

    @Test
    void aRequestWhoseReceiverDiesFailsAtOnceNamingIt(TestCluster app) throws Exception {
        List<Long> workers = app.workerPids();

        CompletableFuture<String> workerToWorker = get(app, "/msg/hang-other-worker?pids=" + workers.get(0) + ","
                + workers.get(1));
        long holder = await("one worker holds the request").atMost(PROMPTLY).until(() -> workers.stream()
                .filter(pid -> holds(app, "worker-" + (workers.indexOf(pid) + 1) + ".log", pid)).findFirst()
                .orElse(0L), pid -> pid != 0);
        kill(holder);
        assertEquals("failed (RECEIVER_EXITED): 'hang' got no answer: worker-" + (workers.indexOf(holder) + 1)
                + " (pid " + holder + ") exited before it answered",
                workerToWorker.get(PROMPTLY.toSeconds(), TimeUnit.SECONDS));

        long survivor = workers.get(0) == holder ? workers.get(1) : workers.get(0);
        CompletableFuture<Object> masterToWorker = app.messenger().request(Messenger.Target.pid(survivor), "hang",
                null, Duration.ofMinutes(1));
        String survivorLog = "worker-" + (workers.indexOf(survivor) + 1) + ".log";
        await("the other worker holds the master's request").atMost(PROMPTLY).until(() ->
                holds(app, survivorLog, survivor));
        kill(survivor);
        ExecutionException failed = assertThrows(ExecutionException.class, () ->
                masterToWorker.get(PROMPTLY.toSeconds(), TimeUnit.SECONDS));
        assertEquals(Messenger.MessageFailedException.Reason.RECEIVER_EXITED,
                ((Messenger.MessageFailedException) failed.getCause()).reason());
        assertTrue(failed.getCause().getMessage().contains("'hang' got no answer: worker-"
                + (workers.indexOf(survivor) + 1) + " (pid " + survivor + ") exited before it answered"),
                failed.getCause().getMessage());

        await("a replacement serves").atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() ->
                RawHttp.get(app.port(), "/pid").status() == 200);
        CompletableFuture<String> workerToAgent = get(app, "/msg/hang-agent");
        await("the agent holds the request").atMost(Duration.ofSeconds(60)).until(() ->
                holds(app, "agent.log", app.agentPid()));
        kill(app.agentPid());
        assertEquals("failed (RECEIVER_EXITED): 'hang' got no answer: agent (pid " + app.agentPid()
                + ") exited before it answered",
                workerToAgent.get(PROMPTLY.toSeconds(), TimeUnit.SECONDS));
    }

    private CompletableFuture<String> get(TestCluster app, String path) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                // The client's own read timeout is shorter than the request's: the answer must come from the death.
                return RawHttp.get(app.port(), path).body();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, clients);
    }

    private static boolean holds(TestCluster app, String logFile, long pid) {
        Path file = app.baseDir().resolve("logs").resolve(logFile);
        try {
            return Files.exists(file) && Files.readString(file).contains("(pid " + pid + ") holds 'hang' unanswered");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void kill(long pid) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
}
