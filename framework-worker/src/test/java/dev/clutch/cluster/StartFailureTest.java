package dev.clutch.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.awaitility.Awaitility.await;

import dev.clutch.core.testing.ClusterProcess;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A child that fails during start fails the whole start: a clear cause, a non-zero exit, nothing left running. */
class StartFailureTest {

    private static final int START_FAILED = 3;

    @TempDir
    Path baseDir;

    @Test
    void agentThatNeverBecomesReadyFailsTheStartAndNoWorkerRunsApplicationCode() throws Exception {
        String output = ClusterScenarios.failedStart(ClusterScenarios.testApp(baseDir, 2)
                // Long enough for the agent to reach its hanging hook on a loaded 2-core machine.
                .property("clutch.agent.startTimeout", "6s")
                .env("TEST_AGENT_HANG", "1"), START_FAILED);
        assertTrue(output.matches("(?s).*start failed: agent \\(pid \\d+\\) was not ready within 6000 ms "
                + "\\(clutch.agent.startTimeout\\).*"), output);
        assertTrue(output.contains("TEST: agent hangs in willReady"), "the agent's last lines are shown");
        assertTrue(output.contains("launched worker-2"), "the workers start beside the agent: " + output);
        assertFalse(output.contains("runs its application code"), output);
        assertTrue(output.matches("(?s).*worker-1 \\(pid \\d+\\) stopped \\(exit code 0\\).*"), "the waiting workers stop "
                + "when told, without a failure of their own: " + output);
        assertFalse(output.contains("failed to start"), output);
    }

    @Test
    void anAgentStoppedDuringItsStartEndsTheStartThenRunsBeforeCloseAndNeverDidReady() throws Exception {
        try (ClusterProcess cluster = ClusterScenarios.testApp(baseDir, 1)
                .env("TEST_AGENT_SLOW_START_MS", "3000").start()) {
            cluster.awaitLine("TEST: agent is slow in willReady", Duration.ofSeconds(60));
            cluster.signal("TERM");
            cluster.awaitExit(Duration.ofSeconds(60));
            assertNothingLeft(cluster);
            String output = cluster.output();
            int willReadyDone = output.indexOf("TEST: agent's willReady is done");
            int beforeClose = output.indexOf("TEST: agent beforeClose");
            assertTrue(willReadyDone >= 0 && beforeClose > willReadyDone, "beforeClose after the start ended: "
                    + output);
            assertFalse(output.contains("TEST: agent didReady"), "no didReady for a start told to stop: " + output);
            assertTrue(output.contains("agent stopped before it was ready (told to stop during the start)"), output);
            assertFalse(output.contains("failed to start"), output);
        }
    }

    @Test
    void aLogDirectoryThatCannotBeWrittenFailsTheStartNamingTheKey() throws Exception {
        Path notADirectory = java.nio.file.Files.writeString(baseDir.resolve("logs-file"), "");
        String output = ClusterScenarios.failedStart(ClusterScenarios.testApp(baseDir, 1)
                .property("clutch.logDir", notADirectory.toString()), START_FAILED);
        assertTrue(output.contains("cannot write log files to " + notADirectory + " (clutch.logDir): "
                + "it exists and is not a directory"), output);
        assertFalse(output.contains("launched agent"), output);
    }

    @Test
    void aDaemonStartSaysTheSameOfALogDirectoryThatCannotBeWritten() throws Exception {
        Path notADirectory = java.nio.file.Files.writeString(baseDir.resolve("logs-file"), "");
        String output = ClusterScenarios.failedStart(ClusterScenarios.testApp(baseDir, 1)
                .property("clutch.logDir", notADirectory.toString()).args("start", "--daemon"), START_FAILED);
        assertTrue(output.contains("cannot start test-app as a daemon: cannot write log files to " + notADirectory
                + " (clutch.logDir): it exists and is not a directory"), output);
    }

    @Test
    void workerThatThrowsDuringStartFailsTheStartWithItsCause() throws Exception {
        String output = ClusterScenarios.failedStart(ClusterScenarios.testApp(baseDir, 2)
                .env("TEST_WORKER_THROW", "1"), START_FAILED);
        assertTrue(output.matches("(?s).*start failed: worker-\\d \\(pid \\d+\\) exited with exit code 3 during "
                + "start; last lines of its stderr:.*TEST: worker refuses to start.*"), output);
        assertTrue(output.contains("agent (pid"), output);
        assertTrue(java.nio.file.Files.readString(baseDir.resolve("logs/common-error.log"))
                .contains("TEST: worker refuses to start"));
    }

    @Test
    void workerWhoseDidReadyHookFailsFailsTheStartAfterItReportedReady() throws Exception {
        Path fail = java.nio.file.Files.writeString(baseDir.resolve("fail-did-ready"), "fail");
        String output = ClusterScenarios.failedStart(ClusterScenarios.testApp(baseDir, 1)
                .env("TEST_WORKER_DID_READY_FAIL_FILE", fail.toString()), START_FAILED);
        assertTrue(output.matches("(?s).*start failed: worker-1 \\(pid \\d+\\) exited with exit code 3 during "
                + "start; last lines of its stderr:.*TEST: a worker's didReady fails.*"), output);
        assertFalse(output.contains("cluster ready"), "its start was not over when it reported ready: " + output);
    }

    @Test
    void aStateSourceBoundOnItsOwnFailsTheStartSayingHowToBindIt() throws Exception {
        String output = ClusterScenarios.failedStart(ClusterScenarios.testApp(baseDir, 1)
                .env("TEST_PLAIN_STATE_SOURCE", "1"), START_FAILED);
        assertTrue(output.contains("Multibinder.newSetBinder(binder(), StateSource.class).addBinding()"), output);
    }

    @Test
    void childThatExitsDuringStartFailsTheStartWithItsExitCode() throws Exception {
        String output = ClusterScenarios.failedStart(ClusterScenarios.testApp(baseDir, 2)
                .env("TEST_AGENT_EXIT", "7"), START_FAILED);
        assertTrue(output.matches("(?s).*start failed: agent \\(pid \\d+\\) exited with exit code 7 during start"
                + "; last lines of its stderr:.*TEST: agent exits with 7 during start.*"), output);
        assertFalse(output.contains("runs its application code"), output);
    }

    @Test
    void portAlreadyInUseFailsTheStartNamingHostAndPort() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getByName("127.0.0.1"));
             ClusterProcess cluster = ClusterScenarios.testApp(baseDir, 1)
                     .property("clutch.http.port", Integer.toString(taken.getLocalPort()))
                     .start()) {
            assertEquals(START_FAILED, cluster.awaitExit(Duration.ofSeconds(60)));

            assertTrue(cluster.output().contains("cannot listen on 127.0.0.1:" + taken.getLocalPort()
                    + ": the port is already in use"), cluster.output());
            assertFalse(cluster.output().contains("launched agent"));
            assertNothingLeft(cluster);
        }
    }

    @Test
    void badConfigurationIsReportedWithEveryKeyAndItsOrigin() throws Exception {
        String output = ClusterScenarios.failedStart(ClusterScenarios.testApp(baseDir, 1)
                .property("clutch.workers", "-2")
                .property("clutch.ipc.helloTimeout", "soon"), 2);
        assertTrue(output.contains("clutch.workers = -2 (system properties): must be between 0 and 1024"),
                output);
        assertTrue(output.contains("clutch.ipc.helloTimeout = soon (system properties): must be a duration of "
                + "at least 1 ms, for example \"5s\" or \"500ms\""), output);
    }

    @Test
    void secondMasterOnTheSameRunDirectoryIsRefusedNamingTheFirst() throws Exception {
        try (ClusterProcess first = ClusterScenarios.start(baseDir, 1)) {
            first.awaitReady(Duration.ofSeconds(60));
            try (ClusterProcess second = ClusterScenarios.start(baseDir, 1)) {
                assertEquals(START_FAILED, second.awaitExit(Duration.ofSeconds(60)));
                assertTrue(second.output().contains("another Clutch instance (pid " + first.pid()
                        + ") already runs with run directory"), second.output());
                assertFalse(second.output().contains("launched agent"));
                assertFalse(first.log("master.log").contains("[master:" + second.pid() + "]"),
                        "the refused master leaves the running one's log alone");
            }
            assertTrue(first.process().isAlive(), "the first cluster is untouched");
            assertTrue(java.nio.file.Files.exists(baseDir.resolve("run/ipc.sock")));
        }
    }

    @Test
    void aSecondInstanceWithItsOwnRunDirectoryButTheSameLogDirectoryIsRefused() throws Exception {
        try (ClusterProcess first = ClusterScenarios.start(baseDir, 1)) {
            first.awaitReady(Duration.ofSeconds(60));
            try (ClusterProcess second = ClusterScenarios.testApp(baseDir, 1)
                    .property("clutch.runDir", baseDir.resolve("run-2").toString()).start()) {
                assertEquals(START_FAILED, second.awaitExit(Duration.ofSeconds(60)));
                assertTrue(second.output().contains("another Clutch instance (pid " + first.pid() + ") writes its "
                        + "logs to " + baseDir.resolve("logs") + ": give this instance its own clutch.logDir"),
                        second.output());
                assertFalse(first.log("master.log").contains("[master:" + second.pid() + "]"),
                        "the refused master leaves the running one's log alone");
            }
            assertTrue(first.process().isAlive(), "the first cluster is untouched");
        }
    }

    static void assertNothingLeft(ClusterProcess cluster) {
        await("every process of the test gone").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> cluster.livePids().isEmpty());
    }
}
