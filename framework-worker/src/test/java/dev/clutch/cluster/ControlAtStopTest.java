package dev.clutch.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clutch.core.control.ControlClient;
import dev.clutch.core.message.ControlReply;
import dev.clutch.core.message.ControlRequest;
import dev.clutch.core.testing.ClusterProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Commands that reach the master while it stops are answered, up to the moment its control socket goes. */
class ControlAtStopTest {

    private static final int CLIENTS = 3;

    @TempDir
    Path baseDir;

    @Test
    void everyCommandSentDuringAStopGetsAnAnswerOrFindsNoInstance() throws Exception {
        ConcurrentLinkedQueue<String> unanswered = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> answers = new ConcurrentLinkedQueue<>();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try (ClusterProcess cluster = ClusterScenarios.start(baseDir, 1)) {
            cluster.awaitReady(Duration.ofSeconds(60));
            Path socket = baseDir.resolve("run/control.sock");
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                running.add(clients.submit(() -> askUntilGone(socket, answers, unanswered)));
            }
            ControlReply stop = new ControlClient(socket, 1024 * 1024).send(new ControlRequest("stop", new String[0]),
                    Duration.ofSeconds(10));
            assertTrue(stop.ok(), stop.text());
            await().atMost(Duration.ofSeconds(30)).until(() -> running.stream().allMatch(Future::isDone));
            for (Future<?> client : running) {
                client.get();
            }
            assertEquals(0, cluster.awaitExit(Duration.ofSeconds(30)), cluster.output());
        } finally {
            clients.shutdownNow();
            assertTrue(clients.awaitTermination(10, TimeUnit.SECONDS));
        }
        assertTrue(unanswered.isEmpty(), "closed without an answer: " + unanswered + "; answers: " + answers.size());
        assertTrue(answers.stream().allMatch(a -> a.equals("ok") || a.equals("dropped") || a.contains("has stopped: 'status' was not "
                + "carried out")), "answers: " + answers.stream().distinct().toList());
    }

    @Test
    void aMessageRequestWaitingForItsReplyWhenTheMasterStopsIsAnswered() throws Exception {
        ExecutorService client = Executors.newSingleThreadExecutor();
        try (ClusterProcess cluster = ClusterScenarios.start(baseDir, 1)) {
            cluster.awaitReady(Duration.ofSeconds(60));
            Path socket = baseDir.resolve("run/control.sock");
            // A handler that never answers, and a timeout far beyond the test's.
            Future<ControlReply> hanging = client.submit(() -> ClusterScenarios.controlRequest(baseDir, "random",
                    "hang", Duration.ofMinutes(10)));
            await().atMost(Duration.ofSeconds(30)).until(() -> cluster.output().contains("holds 'hang' unanswered"));

            ControlReply stop = new ControlClient(socket, 1024 * 1024).send(new ControlRequest("stop", new String[0]),
                    Duration.ofSeconds(10));
            assertTrue(stop.ok(), stop.text());

            ControlReply reply = hanging.get(30, TimeUnit.SECONDS);
            assertFalse(reply.ok(), reply.text());
            assertTrue(reply.text().contains("'hang'"), reply.text());
            assertEquals(0, cluster.awaitExit(Duration.ofSeconds(30)), cluster.output());
        } finally {
            client.shutdownNow();
            assertTrue(client.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    /** Sends {@code status} over and over until no master listens; sorts what comes back. */
    private static void askUntilGone(Path socket, ConcurrentLinkedQueue<String> answers,
                                     ConcurrentLinkedQueue<String> unanswered) {
        ControlClient client = new ControlClient(socket, 1024 * 1024);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try {
                ControlReply reply = client.send(new ControlRequest("status", new String[0]), Duration.ofSeconds(10));
                answers.add(reply.ok() ? "ok" : reply.text());
            } catch (IOException e) {
                if (e.getMessage().startsWith("no running instance")) {
                    return;
                }
                if (e.getMessage().startsWith("no control socket at " + socket + ", but pid ")) {
                    // The master removed its sockets and has yet to release its run directory.
                    continue;
                }
                if (e.getMessage().contains("did not reach the master, nothing was done")
                        || e.getMessage().startsWith("the master dropped the connection without answering")) {
                    // Connected into the listen backlog just as the master closed it: the kernel resets those.
                    answers.add("dropped");
                    continue;
                }
                unanswered.add(e.getMessage());
            }
        }
        unanswered.add("the master still answered after 20 s");
    }
}
