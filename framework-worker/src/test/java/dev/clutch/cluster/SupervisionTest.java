package dev.clutch.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.clutch.core.testing.ClusterProcess;
import dev.clutch.core.testing.Http;
import dev.clutch.core.testing.RawHttp;
import dev.clutch.core.testing.SteadyClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Capacity always comes back; the agent is watched, never restarted. */
class SupervisionTest {

    private static final Duration BOOT = Duration.ofSeconds(60);

    @TempDir
    Path baseDir;

    private static long servingPid(ClusterProcess.Ready ready) throws IOException {
        return Long.parseLong(RawHttp.get(ready.port(), "/pid").body());
    }

    private static long launches(ClusterProcess cluster, String label) {
        return cluster.count("launched " + label + " ");
    }

    /** A cluster whose workers are taken for hung after 2 s without a heartbeat. */
    private ClusterProcess.Builder quickToHang(int workers) {
        return ClusterScenarios.testApp(baseDir, workers)
                .property("clutch.worker.heartbeatInterval", "200ms")
                .property("clutch.worker.timeout", "2s");
    }

    /** Hangs the event loop of the worker that takes the request; the thread ends when that worker is killed. */
    private static Thread hangAWorker(ClusterProcess.Ready ready) {
        Thread hanger = new Thread(() -> {
            try {
                RawHttp.get(ready.port(), "/hang");
            } catch (IOException expected) {
                // The hung worker is killed under this request.
            }
        }, "hanging-request");
        hanger.start();
        return hanger;
    }

    @Test
    void killedWorkerIsReplacedUnderASteadyClientAndTheCountComesBack() throws Exception {
        try (ClusterProcess cluster = ClusterScenarios.start(baseDir, 2)) {
            ClusterProcess.Ready ready = cluster.awaitReady(BOOT);
            try (SteadyClient client = SteadyClient.start(ready.port(), "/pid")) {
                long victim = ready.workerPids().get(0);
                ProcessHandle.of(victim).orElseThrow().destroyForcibly();

                cluster.awaitLine("(pid " + victim + ") exited unexpectedly (killed by signal 9 (SIGKILL)): "
                        + "replacing it", Duration.ofSeconds(10));
                await("a replacement serves").atMost(BOOT).pollInterval(Duration.ofMillis(100)).until(() ->
                        client.servedBy().stream().anyMatch(pid -> !ready.workerPids().contains(pid)));
                await("the count is restored").atMost(BOOT).until(() -> cluster.livePids().size() == 4);
                int before = client.answered();
                await("the client keeps being served").atMost(Duration.ofSeconds(10)).until(() ->
                        client.answered() > before + 20);
            }
        }
    }

    @Test
    void workerThatCrashesAtEveryBootIsReforkedWithinTheLimitThenWithBackoffAndAlarmed() throws Exception {
        Path crash = baseDir.resolve("crash-at-boot");
        try (ClusterProcess cluster = ClusterScenarios.testApp(baseDir, 1)
                .property("clutch.worker.refork.limit", "3")
                .property("clutch.worker.refork.window", "60s")
                .env("TEST_WORKER_CRASH_FILE", crash.toString())
                .start()) {
            ClusterProcess.Ready ready = cluster.awaitReady(BOOT);
            Files.writeString(crash, "crash");
            ProcessHandle.of(ready.workerPids().get(0)).orElseThrow().destroyForcibly();

            cluster.awaitLine("ALARM refork-limit: 3 workers were forked within 60 s", BOOT);
            long atAlarm = launches(cluster, "worker-1");
            assertEquals(4, atAlarm, "the first worker and three immediate replacements");
            // Then 1 s, 2 s, 4 s apart: over the next 5 s at most two more forks, never a tight loop.
            await().pollDelay(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(6)).until(() -> true);
            long later = launches(cluster, "worker-1");
            assertTrue(later - atAlarm <= 2, (later - atAlarm) + " forks in 5 s after the alarm");
            assertTrue(cluster.output().contains("TEST: worker crashes at boot"));

            Files.delete(crash);
            await("the worker count is restored").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> RawHttp.get(ready.port(), "/pid").status() == 200);
        }
    }

    @Test
    void oneWorkerThatDiesAtEveryBootIsReforkedWithAGrowingWaitBelowTheReforkLimitAndAlarmed() throws Exception {
        Path crash = baseDir.resolve("crash-at-boot");
        // The default refork limit (60 a minute): a single JVM that dies at each boot never reaches it.
        try (ClusterProcess cluster = ClusterScenarios.testApp(baseDir, 1)
                .env("TEST_WORKER_CRASH_FILE", crash.toString())
                .start()) {
            ClusterProcess.Ready ready = cluster.awaitReady(BOOT);
            Files.writeString(crash, "crash");
            ProcessHandle.of(ready.workerPids().get(0)).orElseThrow().destroyForcibly();

            cluster.awaitLine("ALARM crash-loop: 3 workers in a row exited before they were ready, the last "
                    + "worker-1 (pid ", BOOT);
            assertTrue(cluster.output().contains("replacements now wait 1000 ms, doubling up to 60 s, until one is "
                    + "ready"), cluster.output());
            long atAlarm = launches(cluster, "worker-1");
            assertEquals(4, atAlarm, "the first worker and three immediate replacements");
            // Then 1 s, 2 s, 4 s apart, each after a boot: over the next 5 s at most two more forks.
            await().pollDelay(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(6)).until(() -> true);
            long later = launches(cluster, "worker-1");
            assertTrue(later - atAlarm <= 2, (later - atAlarm) + " forks in 5 s after the alarm");

            Files.delete(crash);
            await("the worker count is restored").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> RawHttp.get(ready.port(), "/pid").status() == 200);
        }
    }

    @Test
    void hungWorkerIsKilledAfterTheTimeoutWithAThreadDumpInItsLogAndReplaced() throws Exception {
        try (ClusterProcess cluster = quickToHang(1).start()) {
            ClusterProcess.Ready ready = cluster.awaitReady(BOOT);
            long hung = ready.workerPids().get(0);
            Thread hanger = hangAWorker(ready);

            cluster.awaitLine("ALARM worker-hung: worker-1 (pid " + hung + ") sent no heartbeat", BOOT);
            // The dump reaches the file line by line, after its first line.
            await("a thread dump in the worker's log that shows the culprit").atMost(Duration.ofSeconds(10))
                    .until(() -> cluster.log("worker-1.log").contains("Full thread dump")
                            && cluster.log("worker-1.log").contains("TestApp$Hang.handle"));
            await("a replacement serves").atMost(BOOT).pollInterval(Duration.ofMillis(200))
                    .until(() -> servingPidOrZero(ready) != 0 && servingPidOrZero(ready) != hung);
            assertFalse(ClusterProcess.isRunning(hung));
            hanger.join(15_000);
        }
    }

    @Test
    void hungWorkerGetsNoNewConnectionFromItsAlarmOn() throws Exception {
        try (ClusterProcess cluster = quickToHang(2).start()) {
            ClusterProcess.Ready ready = cluster.awaitReady(BOOT);
            Thread hanger = hangAWorker(ready);

            cluster.awaitLine("ALARM worker-hung: ", BOOT);
            String alarm = cluster.lines().stream().filter(l -> l.contains("ALARM worker-hung: ")).findFirst()
                    .orElseThrow();
            long hung = ready.workerPids().stream().filter(pid -> alarm.contains("(pid " + pid + ")")).findFirst()
                    .orElseThrow();
            // The master kills it a second after the alarm, for its thread dump; a connection handed to it
            // meanwhile would hang, then die with it. With rr, every second one would go there.
            for (int i = 0; i < 6; i++) {
                assertNotEquals(hung, servingPid(ready), "request " + i + " after the alarm");
            }
            hanger.join(15_000);
        }
    }

    @Test
    void aFrozenWorkerGetsNoNewConnectionUntilItsHeartbeatsComeBack() throws Exception {
        try (ClusterProcess cluster = ClusterScenarios.testApp(baseDir, 2)
                .property("clutch.worker.heartbeatInterval", "200ms")
                .property("clutch.worker.timeout", "0")
                .start()) {
            ClusterProcess.Ready ready = cluster.awaitReady(BOOT);
            long frozen = ready.workerPids().get(0);
            ClusterProcess.signal(frozen, "STOP");
            try {
                cluster.awaitLine("(pid " + frozen + ") sent no heartbeat for ", Duration.ofSeconds(10));
                // With rr every second connection went to it, and waited there.
                for (int i = 0; i < 6; i++) {
                    assertNotEquals(frozen, servingPid(ready), "request " + i + " while it is frozen");
                }
            } finally {
                ClusterProcess.signal(frozen, "CONT");
            }
            cluster.awaitLine("(pid " + frozen + ") sends heartbeats again", Duration.ofSeconds(10));
            await("it serves again").atMost(Duration.ofSeconds(10)).until(() -> servingPid(ready) == frozen);
        }
    }

    @Test
    void aMasterThatWasStoppedLongerThanTheWorkerTimeoutKillsNoHealthyWorkerWhenItResumes() throws Exception {
        try (ClusterProcess cluster = quickToHang(1).start()) {
            ClusterProcess.Ready ready = cluster.awaitReady(BOOT);
            long worker = ready.workerPids().get(0);
            cluster.signal("STOP");
            try {
                // Longer than the worker timeout, as a VM freeze or a debugger would hold it.
                await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(() -> true);
            } finally {
                cluster.signal("CONT");
            }

            cluster.awaitLine("the master did not run for ", Duration.ofSeconds(10));
            assertEquals(worker, servingPid(ready));
            assertTrue(cluster.lines().stream().noneMatch(l -> l.contains("ALARM worker-hung")), cluster.output());
        }
    }

    private static long servingPidOrZero(ClusterProcess.Ready ready) {
        try {
            return servingPid(ready);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    @Test
    void fatalErrorReplacesTheWorkerFirstAndThenDrainsIt() throws Exception {
        try (ClusterProcess cluster = ClusterScenarios.start(baseDir, 1)) {
            ClusterProcess.Ready ready = cluster.awaitReady(BOOT);
            long old = ready.workerPids().get(0);

            assertEquals(500, Http.get(ready.url("/oom")).statusCode());

            cluster.awaitLine("(pid " + old + ") hit a fatal error (java.lang.OutOfMemoryError: TEST: simulated)",
                    Duration.ofSeconds(10));
            cluster.awaitLine("(pid " + old + ") stopped", BOOT);
            String output = cluster.output();
            int replacementReady = output.indexOf(": worker-1 (pid " + old + ") drains");
            int oldStopped = output.indexOf("(pid " + old + ") stopped");
            assertTrue(replacementReady >= 0 && replacementReady < oldStopped, output);
            assertNotEquals(old, servingPid(ready));
        }
    }

    /**
     * With {@code rr}, a live worker whose descriptor connection breaks would get no client again: it is replaced,
     * then drained. The connection is broken from outside, as a failed hand-off would: the worker is stopped, a
     * client handed to it shows which of its sockets carries the descriptors (the one with bytes waiting), and a
     * copy of that socket taken with {@code pidfd_getfd} is shut down.
     */
    @Test
    void aWorkerThatLostItsDescriptorConnectionIsReplacedThenDrained() throws Exception {
        Assumptions.assumeTrue(SocketBreaker.available(), "needs ss(8) and python3 with os.pidfd_open");
        try (ClusterProcess cluster = ClusterScenarios.start(baseDir, 1)) {
            ClusterProcess.Ready ready = cluster.awaitReady(BOOT);
            long old = ready.workerPids().get(0);
            ClusterProcess.signal(old, "STOP");
            try {
                HttpClient client = HttpClient.newHttpClient();
                CompletableFuture<HttpResponse<String>> handedOver = client.sendAsync(HttpRequest.newBuilder(
                        java.net.URI.create(ready.url("/pid"))).timeout(BOOT).build(),
                        HttpResponse.BodyHandlers.ofString());
                int[] descriptors = new int[1];
                await("the handed-over client waits in one of the worker's sockets").atMost(Duration.ofSeconds(10))
                        .until(() -> (descriptors[0] = SocketBreaker.socketWithBytesWaiting(old)) >= 0);
                SocketBreaker.shutDown(old, descriptors[0]);
                ClusterProcess.signal(old, "CONT");

                cluster.awaitLine("worker-1 (pid " + old + ") lost its connection for handed-over clients (rr) and "
                        + "gets no more of them: forking its replacement, then it drains", Duration.ofSeconds(10));
                cluster.awaitLine(": worker-1 (pid " + old + ") drains", BOOT);
                cluster.awaitLine("(pid " + old + ") stopped", BOOT);
                assertEquals(200, handedOver.get().statusCode(), "the client handed over before is served");
                assertNotEquals(old, servingPid(ready));
            } finally {
                ClusterProcess.signal(old, "CONT");
            }
        }
    }

    @Test
    void fatalErrorOfTheWorkerAReloadIsReplacingForksNoSecondReplacement() throws Exception {
        Path hold = baseDir.resolve("hold-replacements");
        try (ClusterProcess cluster = ClusterScenarios.testApp(baseDir, 1)
                .env("TEST_WORKER_HOLD_FILE", hold.toString()).start()) {
            ClusterProcess.Ready ready = cluster.awaitReady(BOOT);
            long old = ready.workerPids().get(0);
            Files.createFile(hold);

            cluster.signal("HUP");
            await("the reload's new worker-1 starts").atMost(Duration.ofSeconds(10)).until(() ->
                    launches(cluster, "worker-1") == 2);
            assertEquals(500, Http.get(ready.url("/oom")).statusCode());
            cluster.awaitLine("(pid " + old + ") hit a fatal error (java.lang.OutOfMemoryError: TEST: simulated): it "
                    + "drains once its replacement, already starting, is ready", Duration.ofSeconds(10));
            Files.delete(hold);

            cluster.awaitLine("reload done", BOOT);
            cluster.awaitLine("(pid " + old + ") stopped", BOOT);
            assertEquals(2, launches(cluster, "worker-1"), cluster.output());
            assertEquals(1, cluster.livePids().size() - 2, "one worker besides master and agent");
        }
    }

    @Test
    void workerIsRecycledAfterMaxRequestsWithoutDroppingARequest() throws Exception {
        try (ClusterProcess cluster = ClusterScenarios.testApp(baseDir, 1)
                .property("clutch.worker.maxRequests", "30")
                .property("clutch.worker.heartbeatInterval", "100ms")
                .start()) {
            ClusterProcess.Ready ready = cluster.awaitReady(BOOT);
            long first = ready.workerPids().get(0);
            try (SteadyClient client = SteadyClient.start(ready.port(), "/pid")) {
                cluster.awaitLine("worker-1 (pid " + first + ") served", BOOT);
                await("the replacement serves").atMost(BOOT).until(() -> client.servedBy().size() >= 2);
                cluster.awaitLine("(pid " + first + ") stopped", BOOT);
                client.close();
                assertEquals(List.of(), client.failures());
            }
            assertTrue(cluster.output().contains("requests (clutch.worker.maxRequests): replacing it, then it "
                    + "drains"), cluster.output());
        }
    }

    @Test
    void workersOverMaxMemoryAreReplacedOneAtATime() throws Exception {
        try (ClusterProcess cluster = ClusterScenarios.testApp(baseDir, 2)
                .property("clutch.worker.maxMemory", "1MiB")
                .start()) {
            ClusterProcess.Ready ready = cluster.awaitReady(BOOT);
            for (long original : ready.workerPids()) {
                cluster.awaitLine("(pid " + original + ") uses ", BOOT);
                cluster.awaitLine("(pid " + original + ") stopped", BOOT);
            }
            // Both were over the limit from the start; the second is replaced once the first one's replacement is
            // ready, not beside it.
            List<String> lines = cluster.lines();
            int firstReplacing = indexOf(lines, "MiB resident (clutch.worker.maxMemory): replacing it", 0);
            int nextReplacing = indexOf(lines, "MiB resident (clutch.worker.maxMemory): replacing it",
                    firstReplacing + 1);
            assertTrue(firstReplacing >= 0 && nextReplacing > firstReplacing, cluster.output());
            int replacementReady = indexOf(lines, " is ready in ", firstReplacing + 1);
            assertTrue(replacementReady > firstReplacing && replacementReady < nextReplacing, cluster.output());
        }
    }

    private static int indexOf(List<String> lines, String text, int from) {
        for (int i = from; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void killedAgentIsNotRestartedTheAlarmIsLoggedAndPostedAndWorkersKeepServing() throws Exception {
        List<String> posted = new CopyOnWriteArrayList<>();
        HttpServer webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        webhook.createContext("/alarms", exchange -> {
            posted.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        webhook.start();
        try (ClusterProcess cluster = ClusterScenarios.testApp(baseDir, 2)
                .property("clutch.alarm.webhook.url",
                        "http://127.0.0.1:" + webhook.getAddress().getPort() + "/alarms")
                .start()) {
            ClusterProcess.Ready ready = cluster.awaitReady(BOOT);

            ProcessHandle.of(ready.agentPid()).orElseThrow().destroyForcibly();

            await("the alarm in common-error.log").atMost(Duration.ofSeconds(10)).until(() ->
                    cluster.log("common-error.log").contains("ALARM agent-died: agent (pid "
                            + ready.agentPid() + ") died (killed by signal 9 (SIGKILL))"));
            await("the alarm posted to the webhook").atMost(Duration.ofSeconds(10)).until(() -> !posted.isEmpty());
            assertTrue(posted.get(0).contains("\"kind\":\"agent-died\""), posted.get(0));
            assertTrue(cluster.log("common-error.log").contains("run reload (or kill -HUP " + cluster.pid()
                    + ", the master) to start a new agent"), cluster.log("common-error.log"));
            assertTrue(posted.get(0).contains("\"pid\":" + ready.agentPid()), posted.get(0));
            cluster.awaitLine("the agent (pid " + ready.agentPid() + ") died", Duration.ofSeconds(10));
            for (int i = 0; i < 10; i++) {
                assertEquals(200, RawHttp.get(ready.port(), "/pid").status());
            }
            assertEquals(1, launches(cluster, "agent"), "the agent is never restarted");
            try (ClusterProcess status = ClusterScenarios.testApp(baseDir, 1).args("status").start()) {
                status.awaitExit(Duration.ofSeconds(60));
                assertTrue(status.output().contains("dead: killed by signal 9 (SIGKILL)"), status.output());
            }
        } finally {
            webhook.stop(0);
        }
    }
}
