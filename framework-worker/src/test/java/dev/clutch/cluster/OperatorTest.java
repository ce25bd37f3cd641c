package dev.clutch.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clutch.core.testing.ClusterProcess;
import dev.clutch.core.testing.RawHttp;
import dev.clutch.core.testing.SteadyClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator surface: CLI commands through the control socket, and signals. */
class OperatorTest {

    private static final Duration BOOT = Duration.ofSeconds(60);

    @TempDir
    Path baseDir;

    /** Runs one CLI command of the test application against the instance in {@code dir}; waits for it. */
    private static ClusterProcess command(Path dir, String... args) throws Exception {
        ClusterProcess cli = ClusterScenarios.testApp(dir, 1).args(args).start();
        cli.awaitExit(Duration.ofSeconds(120));
        return cli;
    }

    private static JsonNode statusJson(Path dir) throws Exception {
        try (ClusterProcess status = command(dir, "status", "--json")) {
            return new ObjectMapper().readTree(status.output().lines().filter(l -> l.startsWith("{")).findFirst()
                    .orElseThrow(() -> new AssertionError("no JSON in: " + status.output())));
        }
    }

    private static long requestsServed(Path dir) throws Exception {
        long total = 0;
        for (JsonNode process : statusJson(dir).get("processes")) {
            if (process.get("role").asText().equals("worker")) {
                total += process.get("requests").asLong();
            }
        }
        return total;
    }

    /** The pids of the ready workers, as {@code status --json} reports them. */
    private static Set<Long> readyWorkers(Path dir) throws Exception {
        Set<Long> pids = new HashSet<>();
        for (JsonNode process : statusJson(dir).get("processes")) {
            if (process.get("role").asText().equals("worker") && process.get("state").asText().equals("ready")) {
                pids.add(process.get("pid").asLong());
            }
        }
        return pids;
    }

    @Test
    void daemonStartReturnsOnceReadyStatusShowsEveryProcessAndStopEndsThem() throws Exception {
        try (ClusterProcess start = ClusterScenarios.testApp(baseDir, 2)
                .property("clutch.worker.heartbeatInterval", "200ms")
                .args("start", "--daemon").start()) {
            assertEquals(0, start.awaitExit(BOOT), start.output());
            assertTrue(start.output().contains("running as a daemon (master pid"), start.output());
            ClusterProcess.Ready ready = start.awaitReady(Duration.ofSeconds(1));
            // Its working directory is the shell's: a crash report goes beside the logs, as the children's do.
            String masterCommand = Files.readString(Path.of("/proc", Long.toString(masterPid(baseDir)), "cmdline"));
            assertTrue(masterCommand.contains("-XX:ErrorFile=" + baseDir.resolve("logs/hs_err_pid%p.log")),
                    masterCommand);
            for (int i = 0; i < 10; i++) {
                assertEquals(200, RawHttp.get(ready.port(), "/pid").status());
            }
            await("the worker's own log").atMost(Duration.ofSeconds(10))
                    .until(() -> start.log("worker-1.log").contains("TEST-HOOK worker-1 app didReady"));
            String console = start.log("master.out");
            assertTrue(console.contains("clutch: cluster ready in"), console);
            assertFalse(console.contains("TEST-HOOK"), "the console file copies no INFO line of the log files:\n"
                    + console);
            await("heartbeats carry the requests served").atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(500)).until(() -> requestsServed(baseDir) == 10);

            try (ClusterProcess status = command(baseDir, "status")) {
                assertEquals(0, status.process().exitValue(), status.output());
                String table = status.output();
                assertTrue(table.contains("role") && table.contains("restarts") && table.contains("heartbeat"), table);
                assertTrue(table.contains("agent") && table.contains(Long.toString(ready.agentPid())), table);
            }
            try (ClusterProcess logs = command(baseDir, "logs", "--lines", "200")) {
                assertEquals(0, logs.process().exitValue(), logs.output());
                String lines = logs.output();
                assertTrue(lines.contains("[master:") && lines.contains("[agent:") && lines.contains("[worker-1:")
                        && lines.contains("TEST-HOOK worker-1 app didReady"), lines);
            }
            try (ClusterProcess logs = command(baseDir, "logs", "worker-1", "--lines", "200")) {
                String lines = logs.output();
                assertTrue(lines.contains("[worker-1:") && !lines.contains("[master:") && !lines.contains("[agent:"),
                        lines);
            }
            try (ClusterProcess json = command(baseDir, "status", "--json")) {
                String out = json.output();
                assertTrue(out.contains("\"state\":\"running\""), out);
                assertTrue(out.contains("\"role\":\"master\""), out);
                assertTrue(out.contains("\"residentBytes\":"), out);
            }
            assertEquals(Set.copyOf(ready.workerPids()), readyWorkers(baseDir));

            // Another application started from the same base directory shares its run directory.
            try (ClusterProcess elsewhere = ClusterScenarios.testApp(baseDir, 1).property("clutch.name", "other-app")
                    .args("reload").start()) {
                assertEquals(2, elsewhere.awaitExit(Duration.ofSeconds(120)), elsewhere.output());
                assertTrue(elsewhere.output().contains("reload refused: the instance at " + baseDir.resolve("run")
                        + " is test-app, not other-app; other-app does not run there"), elsewhere.output());
            }
            // With a broken configuration the command may have found another application's instance: it asks first.
            try (ClusterProcess elsewhere = ClusterScenarios.testApp(baseDir, 1).property("clutch.name", "other-app")
                    .property("clutch.worker.timeout", "xyz").args("stop").start()) {
                assertEquals(2, elsewhere.awaitExit(Duration.ofSeconds(120)), elsewhere.output());
                assertTrue(elsewhere.output().contains("stop refused: the instance at " + baseDir.resolve("run")
                        + " is test-app, not other-app"), elsewhere.output());
            }
            // A bad value since the start (a new jar's, a variable's) does not lock the operator out.
            try (ClusterProcess stop = ClusterScenarios.testApp(baseDir, 1).property("clutch.worker.timeout", "xyz")
                    .args("stop").start()) {
                assertEquals(0, stop.awaitExit(Duration.ofSeconds(120)), stop.output());
                assertTrue(stop.output().contains("stopped"), stop.output());
                assertTrue(stop.output().contains("clutch: warning: clutch.worker.timeout = xyz (system properties): "
                        + "must be a duration"), stop.output());
            }
            await("every process gone").atMost(Duration.ofSeconds(10)).until(() -> start.livePids().isEmpty());
        }
    }

    @Test
    void daemonStartThatFailsReturnsNonZeroWithTheStartError() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getByName("127.0.0.1"));
             ClusterProcess start = ClusterScenarios.testApp(baseDir, 1)
                     .args("start", "--daemon", "--port", Integer.toString(taken.getLocalPort())).start()) {
            assertEquals(3, start.awaitExit(BOOT), start.output());
            assertTrue(start.output().contains("cannot listen on 127.0.0.1:" + taken.getLocalPort()), start.output());
            assertTrue(start.output().contains("the daemon exited with code 3 before the cluster was ready"),
                    start.output());
            await("nothing left").atMost(Duration.ofSeconds(10)).until(() -> start.livePids().isEmpty());
        }
    }

    /** The cause in one line each, not the stack traces and stderr copies that fill the console after it. */
    @Test
    void daemonStartThatFailsShowsTheErrorsNotTheirStackTraces() throws Exception {
        try (ClusterProcess start = ClusterScenarios.testApp(baseDir, 1).env("TEST_WORKER_THROW", "1")
                .args("start", "--daemon").start()) {
            assertEquals(3, start.awaitExit(BOOT), start.output());
            String output = start.output();
            assertTrue(output.contains("worker-1 failed to start: ") && output.contains("TEST: worker refuses to "
                    + "start"), output);
            assertTrue(output.contains("start failed: worker-1"), output);
            // No stack frame, whether the console's own or in the copy of the worker's stderr.
            assertTrue(output.lines().map(l -> l.strip().replaceFirst("^\\|\\s*", ""))
                    .noneMatch(l -> l.startsWith("at ")), output);
            await("nothing left").atMost(Duration.ofSeconds(10)).until(() -> start.livePids().isEmpty());
        }
    }

    @Test
    void scaleUpAndDownOnTheCommandLine() throws Exception {
        try (ClusterProcess cluster = ClusterScenarios.start(baseDir, 1)) {
            cluster.awaitReady(BOOT);

            assertEquals(0, command(baseDir, "scale", "3").process().exitValue());
            await("3 workers").atMost(BOOT).pollInterval(Duration.ofMillis(500))
                    .until(() -> readyWorkers(baseDir).size() == 3);

            assertEquals(0, command(baseDir, "scale", "1").process().exitValue());
            await("1 worker").atMost(BOOT).pollInterval(Duration.ofMillis(500))
                    .until(() -> readyWorkers(baseDir).size() == 1 && cluster.livePids().size() == 3);
        }
    }

    @Test
    void aMasterStartedWithHangupIgnoredSaysThatHupWillNotReloadIt() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/nohup")), "needs nohup(1)");
        try (ClusterProcess cluster = ClusterScenarios.testApp(baseDir, 1).wrappedIn("/usr/bin/nohup").start()) {
            cluster.awaitReady(BOOT);
            assertTrue(cluster.output().contains("SIGHUP cannot be handled by this master (it was ignored when the "
                    + "master started, under nohup say, and the JVM keeps it ignored): kill -HUP does nothing here; "
                    + "use the operator command reload"), cluster.output());
            assertFalse(cluster.output().contains("SIGTERM cannot be handled"), cluster.output());
        }
    }

    @Test
    void ttinAndTtouScaleAndHupReloads() throws Exception {
        // As the application's launcher starts it: HotSpot leaves SIGUSR2 to the master.
        try (ClusterProcess cluster = ClusterScenarios.testApp(baseDir, 1).env("_JAVA_SR_SIGNUM", "39").start()) {
            ClusterProcess.Ready ready = cluster.awaitReady(BOOT);

            // Other servers' signals, sent out of habit or by a logrotate script, neither end nor crash it.
            cluster.signal("USR1");
            cluster.awaitLine("received SIGUSR1: not a Clutch signal, ignored", BOOT);
            cluster.signal("USR2");
            cluster.awaitLine("received SIGUSR2: not a Clutch signal, ignored", BOOT);
            // As one sent to the whole process group reaches them: the children ignore them too.
            long worker = ready.workerPids().get(0);
            ClusterProcess.signal(worker, "USR1");
            cluster.awaitLine("SIGUSR1 ignored: not a Clutch signal", BOOT);
            assertTrue(ClusterProcess.isRunning(worker), "the worker survived SIGUSR1");
            // The master's own signals too: HUP to the group (a closed terminal) would end every child at once.
            for (String signal : List.of("HUP", "TTIN", "TTOU")) {
                ClusterProcess.signal(worker, signal);
                ClusterProcess.signal(ready.agentPid(), signal);
                cluster.awaitLine("SIG" + signal + " ignored: the master's signal, send it to the master (pid "
                        + cluster.pid() + ")", BOOT);
            }
            await("both children logged SIGTTOU").atMost(BOOT).pollInterval(Duration.ofMillis(100))
                    .until(() -> cluster.count("SIGTTOU ignored: the master's signal") == 2);
            assertTrue(ClusterProcess.isRunning(worker), "the worker survived HUP, TTIN and TTOU");
            assertTrue(ClusterProcess.isRunning(ready.agentPid()), "the agent survived HUP, TTIN and TTOU");
            assertEquals(200, RawHttp.get(ready.port(), "/pid").status());

            cluster.signal("TTIN");
            await("2 workers").atMost(BOOT).pollInterval(Duration.ofMillis(500))
                    .until(() -> readyWorkers(baseDir).size() == 2);
            cluster.signal("TTOU");
            await("1 worker").atMost(BOOT).pollInterval(Duration.ofMillis(500))
                    .until(() -> readyWorkers(baseDir).size() == 1 && cluster.livePids().size() == 3);
            cluster.signal("TTOU");
            cluster.awaitLine("received SIGTTOU: already 1 worker, the fewest there can be", BOOT);

            Set<Long> before = readyWorkers(baseDir);
            cluster.signal("HUP");
            cluster.awaitLine("reload done", BOOT);
            Set<Long> after = readyWorkers(baseDir);
            assertTrue(after.stream().noneMatch(before::contains), before + " -> " + after);
            assertTrue(ClusterProcess.isRunning(ready.agentPid()), "a reload leaves the agent alone");

            // A worker still starting when a reload begins may run the build from before it: replaced as well.
            long launchesBefore = cluster.count("launched worker-2 ");
            cluster.signal("TTIN");
            cluster.signal("HUP");
            await("the second reload").atMost(BOOT).until(() -> cluster.count("reload done") == 2);
            assertEquals(launchesBefore + 2, cluster.count("launched worker-2 "),
                    "worker-2 of the scale-up, then its replacement: " + cluster.output());
        }
    }

    @Test
    void reloadUnderSteadyLoadFailsNoRequestAndReplacesEveryWorker() throws Exception {
        try (ClusterProcess cluster = ClusterScenarios.start(baseDir, 2)) {
            ClusterProcess.Ready ready = cluster.awaitReady(BOOT);
            try (SteadyClient client = SteadyClient.start(ready.port(), "/pid")) {
                await().atMost(Duration.ofSeconds(10)).until(() -> client.answered() > 50);

                try (ClusterProcess reload = command(baseDir, "reload")) {
                    assertEquals(0, reload.process().exitValue(), reload.output());
                    assertTrue(reload.output().contains("reload done: every worker replaced"), reload.output());
                }
                // The master's log says who asked, as it does for a SIGHUP.
                cluster.awaitLine("reload requested on the control socket", Duration.ofSeconds(5));
                cluster.awaitLine("reload done", Duration.ofSeconds(5));
                int atReloadEnd = client.answered();
                await().atMost(Duration.ofSeconds(10)).until(() -> client.answered() > atReloadEnd + 50);
                client.close();
                assertEquals(List.of(), client.failures(), client.answered() + " requests answered");
            }
            Set<Long> now = readyWorkers(baseDir);
            assertEquals(2, now.size());
            assertTrue(now.stream().noneMatch(ready.workerPids()::contains), ready.workerPids() + " -> " + now);
        }
    }

    @Test
    void reloadWhoseNewWorkersFailIsAbortedAndTheOldWorkersKeepServing() throws Exception {
        Path crash = baseDir.resolve("crash-at-boot");
        try (ClusterProcess cluster = ClusterScenarios.testApp(baseDir, 2)
                .env("TEST_WORKER_CRASH_FILE", crash.toString())
                .start()) {
            ClusterProcess.Ready ready = cluster.awaitReady(BOOT);
            Files.writeString(crash, "crash");

            try (ClusterProcess reload = ClusterScenarios.testApp(baseDir, 1).args("reload").start()) {
                assertEquals(1, reload.awaitExit(BOOT), reload.output());
                assertTrue(reload.output().contains("reload aborted: the new worker-1"), reload.output());
            }
            cluster.awaitLine("ALARM reload-aborted", Duration.ofSeconds(10));
            assertEquals(Set.copyOf(ready.workerPids()), readyWorkers(baseDir));
            for (int i = 0; i < 10; i++) {
                long pid = Long.parseLong(RawHttp.get(ready.port(), "/pid").body());
                assertTrue(ready.workerPids().contains(pid));
            }
        }
    }

    @Test
    void reloadWhoseNewWorkerFailsInADidReadyHookIsAbortedBeforeTheWorkerItReplacesDrains() throws Exception {
        Path fail = baseDir.resolve("fail-did-ready");
        try (ClusterProcess cluster = ClusterScenarios.testApp(baseDir, 2)
                .env("TEST_WORKER_DID_READY_FAIL_FILE", fail.toString())
                .start()) {
            ClusterProcess.Ready ready = cluster.awaitReady(BOOT);
            Files.writeString(fail, "fail");

            // Its ready comes before its didReady hooks, which fail it: it must not have replaced anyone.
            try (ClusterProcess reload = ClusterScenarios.testApp(baseDir, 1).args("reload").start()) {
                assertEquals(1, reload.awaitExit(BOOT), reload.output());
                assertTrue(reload.output().matches("(?s).*reload aborted: the new worker-\\d \\(pid \\d+\\) exited "
                        + "with exit code 3 in a didReady hook, after it reported ready.*"), reload.output());
            }
            cluster.awaitLine("exited in a didReady hook, after it reported ready (exit code 3)",
                    Duration.ofSeconds(5));
            assertEquals(Set.copyOf(ready.workerPids()), readyWorkers(baseDir));
        }
    }

    @Test
    void scalingAwayTheSlotAReloadIsAtLetsTheReloadGoOn() throws Exception {
        Path hold = baseDir.resolve("hold");
        try (ClusterProcess cluster = ClusterScenarios.testApp(baseDir, 2)
                .env("TEST_WORKER_HOLD_FILE", hold.toString()).start()) {
            ClusterProcess.Ready ready = cluster.awaitReady(BOOT);
            // worker-1's replacement comes after worker-2 in the master's table: a reload then starts with worker-2.
            ClusterProcess.signal(ready.workerPids().get(0), "KILL");
            await("worker-1 replaced").atMost(BOOT).pollInterval(Duration.ofMillis(100))
                    .until(() -> cluster.count("launched worker-1 (pid ") == 2 && readyWorkers(baseDir).size() == 2);
            Files.createFile(hold);

            cluster.signal("HUP");
            await("the reload's new worker-2, held back").atMost(BOOT).pollInterval(Duration.ofMillis(100))
                    .until(() -> cluster.count("launched worker-2 (pid ") == 2);
            try (ClusterProcess scale = command(baseDir, "scale", "1")) {
                assertEquals(0, scale.process().exitValue(), scale.output());
            }
            Files.delete(hold);

            cluster.awaitLine("reload done", BOOT);
            assertEquals(1, readyWorkers(baseDir).size());
            assertFalse(readyWorkers(baseDir).contains(ready.workerPids().get(0)));
        }
    }

    @Test
    void stopTimeoutBoundsTheWaitForAMasterThatDoesNotAnswer() throws Exception {
        try (ClusterProcess cluster = ClusterScenarios.start(baseDir, 1)) {
            cluster.awaitReady(BOOT);
            cluster.signal("STOP");
            try (ClusterProcess stop = ClusterScenarios.testApp(baseDir, 1).args("stop", "--timeout", "2").start()) {
                assertEquals(1, stop.awaitExit(Duration.ofSeconds(60)), stop.output());
                assertTrue(stop.output().contains("no answer from the master within 2000 ms"), stop.output());
            } finally {
                cluster.signal("CONT");
            }
        }
    }

    @Test
    void stoppingOneApplicationLeavesAnotherRunning(@TempDir Path otherDir) throws Exception {
        try (ClusterProcess first = ClusterScenarios.start(baseDir, 1);
             ClusterProcess second = ClusterScenarios.start(otherDir, 1)) {
            first.awaitReady(BOOT);
            ClusterProcess.Ready other = second.awaitReady(BOOT);

            assertEquals(0, command(baseDir, "stop").process().exitValue());

            assertEquals(0, first.awaitExit(Duration.ofSeconds(30)));
            assertEquals(200, RawHttp.get(other.port(), "/pid").status());
            assertTrue(second.process().isAlive());
        }
    }

    private static long masterPid(Path baseDir) throws IOException {
        return Long.parseLong(Files.readString(baseDir.resolve("run/master.pid")).trim());
    }
}
