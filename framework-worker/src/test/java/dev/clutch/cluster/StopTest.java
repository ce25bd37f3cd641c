package dev.clutch.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clutch.core.master.ParentWatch;
import dev.clutch.core.testing.ClusterProcess;
import dev.clutch.core.testing.RawHttp;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StopTest {

    @TempDir
    Path baseDir;

    @Test
    void termStopsTheWorkersBeforeTheAgentAndExitsZero() throws Exception {
        try (ClusterProcess cluster = ClusterScenarios.start(baseDir, 2)) {
            ClusterProcess.Ready ready = cluster.awaitReady(Duration.ofSeconds(60));

            cluster.signal("TERM");

            assertEquals(0, cluster.awaitExit(Duration.ofSeconds(30)));
            String output = cluster.output();
            int agentStopped = output.indexOf("agent (pid " + ready.agentPid() + ") stopped");
            for (long worker : ready.workerPids()) {
                int workerStopped = output.indexOf("(pid " + worker + ") stopped (exit code 0)");
                assertTrue(workerStopped >= 0 && workerStopped < agentStopped, output);
            }
            assertTrue(output.indexOf("TEST: worker-1 beforeClose") < output.indexOf("TEST: agent beforeClose"));
            StartFailureTest.assertNothingLeft(cluster);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"rr", "none"})
    void aConnectionMadeWhileTheWorkersStopIsRefusedInsteadOfWaitingForTheMastersExit(String policy) throws Exception {
        try (ClusterProcess cluster = ClusterScenarios.testApp(baseDir, 1)
                .property("clutch.cluster.schedulingPolicy", policy)
                .property("clutch.worker.killTimeout", "2s")
                .env("TEST_WORKER_HANG_ON_CLOSE", "1").start()) {
            ClusterProcess.Ready ready = cluster.awaitReady(Duration.ofSeconds(60));
            cluster.signal("TERM");
            cluster.awaitLine("TEST: worker-1 beforeClose", Duration.ofSeconds(10));

            // The port went with the start of the stop: the kernel refuses, so a client or a load balancer goes
            // elsewhere at once, rather than waiting for a worker that will not come until the master exits.
            assertThrows(ConnectException.class, () -> RawHttp.get(ready.port(), "/pid"));

            // The hung worker is killed after its 2 s and the 3 s grace; the stop ends as before.
            assertEquals(0, cluster.awaitExit(Duration.ofSeconds(30)), cluster.output());
        }
    }

    /** One worker whose stop hangs (in its beforeClose hook) until the master kills it after {@code killTimeout}. */
    private ClusterProcess workerThatHangsInItsStop(String killTimeout) throws IOException {
        return ClusterScenarios.testApp(baseDir, 1)
                .property("clutch.worker.killTimeout", killTimeout)
                .env("TEST_WORKER_HANG_ON_CLOSE", "1").start();
    }

    @Test
    void aWorkerStuckInItsStopWhenTheMasterIsKilledEndsItselfWhenItsStopTimeRunsOut() throws Exception {
        try (ClusterProcess cluster = workerThatHangsInItsStop("1s")) {
            ClusterProcess.Ready ready = cluster.awaitReady(Duration.ofSeconds(60));
            long worker = ready.workerPids().get(0);
            cluster.signal("TERM");
            cluster.awaitLine("TEST: worker-1 beforeClose", Duration.ofSeconds(10));

            cluster.signal("KILL");

            // Its stop time (1 s) and grace (3 s), as the master would have counted them, then it goes.
            await("the worker ends itself").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                    .until(() -> !ClusterProcess.isRunning(worker));
        }
    }

    /**
     * {@code timeout} sends TERM to the master and then to its process group: the master gets it twice at once, and
     * that is still one graceful stop. A second TERM later is someone in a hurry: every child is killed.
     */
    @Test
    void termTwiceAtOnceIsOneStopAndALaterOneKillsTheChildren() throws Exception {
        try (ClusterProcess cluster = workerThatHangsInItsStop("20s")) {
            ClusterProcess.Ready ready = cluster.awaitReady(Duration.ofSeconds(60));

            // As timeout(1) does: a second TERM right after the first. Sent once the first has been taken, or the
            // kernel would merge the two (it does not queue signals).
            // The handle's destroy() is a bare SIGTERM; Process.destroy() would also close the console's pipes.
            ProcessHandle master = cluster.process().toHandle();
            master.destroy();
            await("the first TERM taken").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(1))
                    .until(() -> !termPending(cluster.pid()));
            master.destroy();
            cluster.awaitLine("TEST: worker-1 beforeClose", Duration.ofSeconds(10));
            cluster.awaitLine("again within 250 ms: the same stop", Duration.ofSeconds(5));
            // Nothing killed it: the hung worker stays until its stop time (20 s), past the 250 ms of a repeat.
            await("the worker still stops gracefully").during(Duration.ofMillis(400)).atMost(Duration.ofSeconds(2))
                    .until(() -> ClusterProcess.isRunning(ready.workerPids().get(0)));

            cluster.signal("TERM");

            cluster.awaitLine("again while stopping: killing every child now", Duration.ofSeconds(5));
            assertEquals(0, cluster.awaitExit(Duration.ofSeconds(10)), cluster.output());
            StartFailureTest.assertNothingLeft(cluster);
        }
    }

    /** Whether a SIGTERM waits to be taken by the process ({@code ShdPnd}, bit 15 - 1). */
    private static boolean termPending(long pid) throws IOException {
        String pending = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(line -> line.startsWith("ShdPnd:")).findFirst().orElseThrow().substring(7).strip();
        return (Long.parseUnsignedLong(pending, 16) & (1L << 14)) != 0;
    }

    @Test
    void aMasterStartedForATestStopsWhenTheProcessThatStartedItIsKilled() throws Exception {
        // Stands in for a test JVM that a CI timeout kills outright: no shutdown hook of its runs.
        Process starter = new ProcessBuilder("sleep", "600").start();
        try (ClusterProcess cluster = ClusterScenarios.testApp(baseDir, 1)
                .env(ParentWatch.ENV, Long.toString(starter.pid()))
                .start()) {
            cluster.awaitReady(Duration.ofSeconds(60));

            starter.destroyForcibly();

            assertEquals(0, cluster.awaitExit(Duration.ofSeconds(30)), cluster.output());
            assertTrue(cluster.output().contains("the process that started this master (pid " + starter.pid()
                    + ", CLUTCH_STOP_WITH_PID) has exited: stopping"), cluster.output());
            await("every process gone").atMost(Duration.ofSeconds(10)).until(() -> cluster.livePids().isEmpty());
        } finally {
            starter.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void killingTheMasterLeavesNoChildAliveAfterOneSecond() throws Exception {
        try (ClusterProcess cluster = ClusterScenarios.start(baseDir, 2)) {
            ClusterProcess.Ready ready = cluster.awaitReady(Duration.ofSeconds(60));
            List<Long> children = new ArrayList<>(ready.workerPids());
            children.add(ready.agentPid());

            cluster.signal("KILL");

            await("every child gone").atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                    .until(() -> children.stream().noneMatch(ClusterProcess::isRunning));
        }
    }
}
