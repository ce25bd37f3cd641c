package dev.clutch.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;

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
                                // One worker per run of "one" (chosen at random), both over time; "all" reaches
                                // each worker.
                                && ranOn(log, "one", w1) && ranOn(log, "one", w2)
                                && ranOn(log, "all", w1) && ranOn(log, "all", w2);
                    });
            assertFalse(cluster.output().contains("TEST: overlapping runs"));
        }
    }

    @Test
    void runsDueWhileNoWorkerIsReadyAreSkippedWithALineInTheScheduleLogOnly() throws Exception {
        Path hold = baseDir.resolve("hold-replacement");
        try (ClusterProcess cluster = ClusterScenarios.testApp(baseDir, 1).env("TEST_SCHEDULES", "1")
                .env("TEST_WORKER_HOLD_FILE", hold.toString()).start()) {
            ClusterProcess.Ready ready = cluster.awaitReady(Duration.ofSeconds(60));
            Files.createFile(hold);
            ProcessHandle.of(ready.workerPids().get(0)).orElseThrow().destroyForcibly();

            await("runs skipped while the replacement is held back").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200)).until(() -> {
                        String log = cluster.log("schedule.log");
                        return log.contains("schedule one: skipped, it reached no worker ('clutch.schedule.run' "
                                + "could not be delivered: no ready worker)")
                                && log.contains("a schedule run was skipped: no ready worker");
                    });
            Files.delete(hold);
            await("the replacement runs them again").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200)).until(() -> cluster.log("schedule.log").lines()
                            .anyMatch(l -> l.contains("schedule all: ok") && !l.contains("(pid "
                                    + ready.workerPids().get(0) + ")")));
            assertFalse(cluster.log("common-error.log").contains("clutch.schedule.run"),
                    "a skipped run is no error: " + cluster.log("common-error.log"));
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
