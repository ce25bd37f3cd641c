package dev.clutch.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clutch.core.testing.ClusterProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Schedules run from the agent, on the agent, one worker or every worker, and land in schedule.log. */
class ScheduleTest {

    @TempDir
    Path baseDir;

    @Test
    void everyKindOfScheduleRunsWhereItSaysAndNeverOverlapsItself() throws Exception {
        try (ClusterProcess cluster = ClusterScenarios.testApp(baseDir, 2).env("TEST_SCHEDULES", "1").start()) {
            ClusterProcess.Ready ready = cluster.awaitReady(Duration.ofSeconds(60));
            long w1 = ready.workerPids().get(0);
            long w2 = ready.workerPids().get(1);

            await("every schedule ran where it should").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200)).until(() -> {
                        String log = cluster.log("schedule.log");
                        return log.contains("schedule one: ok") && log.contains("on worker-1 (pid " + w1 + ")")
                                && log.contains("on worker-2 (pid " + w2 + ")")
                                && log.contains("schedule all: ok")
                                && log.contains("schedule cron: ok")
                                && log.contains("schedule slow: ok in")
                                && log.contains("on agent (pid " + ready.agentPid() + ")")
                                && log.contains("schedule slow: skipped, its previous run is still running")
                                && log.contains("schedule never: not in env prod (only [nowhere])")
                                // Two schedules of one task: each runs, and a run still going in a worker skips
                                // only its own schedule's next one there, which is no failure.
                                && log.contains("schedule slow-a: ok") && log.contains("schedule slow-b: ok")
                                && log.contains("schedule slow-a: skipped on worker-")
                                // One worker per run of "one" (chosen at random), both over time; "all" reaches
                                // each worker.
                                && ranOn(log, "one", w1) && ranOn(log, "one", w2)
                                && ranOn(log, "all", w1) && ranOn(log, "all", w2);
                    });
            assertFalse(cluster.output().contains("TEST: overlapping runs"));
            assertFalse(cluster.log("schedule.log").contains("schedule slow-a: failed"), cluster.log("schedule.log"));

            // The agent's "slow" task runs most of the time: a stop lets the run in progress end, not interrupts it.
            cluster.signal("TERM");
            assertEquals(0, cluster.awaitExit(Duration.ofSeconds(60)), cluster.output());
            assertFalse(cluster.log("schedule.log").contains("schedule slow: failed"), cluster.log("schedule.log"));
        }
    }

    @Test
    void runsDueWhileNoWorkerIsReadyAreSkippedWithALineInTheScheduleLogOnly() throws Exception {
        Path hold = baseDir.resolve("hold-replacement");
        // The application's own listener of undeliverable messages throws: the scheduler's still hears of them.
        try (ClusterProcess cluster = ClusterScenarios.testApp(baseDir, 1).env("TEST_SCHEDULES", "1")
                .env("TEST_FAILING_UNDELIVERABLE_LISTENER", "1")
                .env("TEST_WORKER_HOLD_FILE", hold.toString()).start()) {
            ClusterProcess.Ready ready = cluster.awaitReady(Duration.ofSeconds(60));
            Files.createFile(hold);
            ProcessHandle.of(ready.workerPids().get(0)).orElseThrow().destroyForcibly();

            await("runs skipped while the replacement is held back").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200)).until(() -> {
                        String log = cluster.log("schedule.log");
                        return log.contains("schedule one: skipped, it reached no worker ('clutch.schedule.run' "
                                + "could not be delivered: no ready worker)")
                                && log.contains("schedule all: skipped, it reached no worker (no ready worker)");
                    });
            Files.delete(hold);
            await("the replacement runs them again").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200)).until(() -> cluster.log("schedule.log").lines()
                            .anyMatch(l -> l.contains("schedule all: ok") && !l.contains("(pid "
                                    + ready.workerPids().get(0) + ")")));
            assertFalse(cluster.log("common-error.log").lines().anyMatch(line -> line.contains("clutch.schedule.run")
                    && !line.contains("a listener of undeliverable messages failed")),
                    "a skipped run is no error: " + cluster.log("common-error.log"));
            assertTrue(cluster.log("agent.log").contains("the application's listener fails on purpose"));
        }
    }

    private static boolean ranOn(String log, String schedule, long worker) {
        return log.lines().anyMatch(l -> l.contains("schedule " + schedule + ": ok") && l.contains("(pid " + worker
                + ")"));
    }

    @Test
    void annotatedMethodsRunWhereTheirAnnotationSays() throws Exception {
        try (ClusterProcess cluster = ClusterScenarios.testApp(baseDir, 2).property("clutch.env", "annotated")
                .start()) {
            cluster.awaitReady(Duration.ofSeconds(60));

            for (String process : new String[] {"agent", "worker-1", "worker-2"}) {
                cluster.awaitLine("TEST: annotated tick in " + process, Duration.ofSeconds(30));
            }
            await("both kinds in schedule.log").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> cluster.log("schedule.log").contains("schedule AnnotatedJobs.agentTick: ok")
                            && cluster.log("schedule.log").contains("schedule annotated-all: ok"));
            // An Error thrown by a scheduled method is its run's failure, said as it is, in both roles.
            await("failed runs in schedule.log").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> cluster.log("schedule.log").contains("schedule annotated-agent-error: failed")
                            && cluster.log("schedule.log").contains("java.lang.AssertionError: boom in agent")
                            && cluster.log("schedule.log").contains("java.lang.AssertionError: boom in worker-1"));
            assertTrue(cluster.log("worker-1.log").contains("at dev.clutch.cluster.TestApp$AnnotatedJobs.workerError"),
                    "the stack trace in the worker's log");
            assertFalse(cluster.log("schedule.log").contains("InvocationTargetException"), cluster.log("schedule.log"));
        }
    }

    @Test
    void annotatedMethodsStayOffOutsideTheirEnvs() throws Exception {
        try (ClusterProcess cluster = ClusterScenarios.start(baseDir, 1)) {
            cluster.awaitReady(Duration.ofSeconds(60));
            await("the agent read them").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> cluster.log("schedule.log").contains("schedule annotated-all: not in env prod"));
            assertFalse(cluster.output().contains("TEST: annotated tick"));
        }
    }
}
