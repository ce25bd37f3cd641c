package dev.clutch.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clutch.core.testing.ClusterProcess;
import dev.clutch.core.testing.RawHttp;
import dev.clutch.core.testing.SteadyClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reload that starts a new agent: asked for with {@code reload --agent}, or because the agent is dead. The new
 * agent's state replaces the old one in the workers that serve on, and a new agent that fails stops the reload.
 */
class AgentReloadTest {

    private static final Duration BOOT = Duration.ofSeconds(60);
    private static final Pattern NEW_AGENT = Pattern.compile("a new agent \\(pid (\\d+)\\)");

    @TempDir
    Path baseDir;

    /** A cluster whose agent publishes {@code flags.conf} and, under {@code agent-pid}, which agent it is. */
    private ClusterProcess.Builder cluster(int workers) throws IOException {
        Files.writeString(baseDir.resolve("flags.conf"), "banner = hello\n");
        return ClusterScenarios.testApp(baseDir, workers)
                .env("TEST_AGENT_PID_STATE", "1")
                .property("clutch.state.file", "flags.conf")
                .property("clutch.state.filePollInterval", "50ms");
    }

    private ClusterProcess command(String... args) throws IOException, InterruptedException {
        ClusterProcess cli = ClusterScenarios.testApp(baseDir, 1).args(args).start();
        cli.awaitExit(Duration.ofSeconds(120));
        return cli;
    }

    private static long newAgentPid(String output) {
        Matcher matcher = NEW_AGENT.matcher(output);
        assertTrue(matcher.find(), output);
        return Long.parseLong(matcher.group(1));
    }

    private static String state(int port, String key) throws IOException {
        RawHttp.Reply reply = RawHttp.get(port, "/state/" + key);
        return reply.status() == 200 ? reply.body() : "absent";
    }

    private static long stateVersion(int port) throws IOException {
        return Long.parseLong(RawHttp.get(port, "/state/banner").header("X-State-Version"));
    }

    @Test
    void reloadWithAgentReplacesTheAgentFirstAndItsStateReachesTheServingWorkersWithoutAFailedRequest()
            throws Exception {
        Path hold = baseDir.resolve("hold-new-workers");
        try (ClusterProcess cluster = cluster(2).env("TEST_WORKER_HOLD_FILE", hold.toString()).start()) {
            ClusterProcess.Ready ready = cluster.awaitReady(BOOT);
            long oldAgent = ready.agentPid();
            assertEquals(Long.toString(oldAgent), state(ready.port(), "agent-pid"));
            long versionBefore = stateVersion(ready.port());
            long newAgent;
            try (SteadyClient client = SteadyClient.start(ready.port(), "/pid")) {
                await().atMost(Duration.ofSeconds(10)).until(() -> client.answered() > 50);
                // The reload's first new worker waits for this file to go: the old workers serve meanwhile.
                Files.writeString(hold, "hold");
                try (ClusterProcess reload = ClusterScenarios.testApp(baseDir, 1).args("reload", "--agent").start()) {
                    cluster.awaitLine("reload: the new agent is ready; now the workers", BOOT);
                    newAgent = lastAgentLaunched(cluster);
                    assertTrue(newAgent != oldAgent, "a new agent");
                    assertFalse(ProcessHandle.of(oldAgent).map(ProcessHandle::isAlive).orElse(false),
                            "never two agents: the old one is gone before the new one starts");

                    await("the old workers serve the new agent's state").atMost(Duration.ofSeconds(10))
                            .pollInterval(Duration.ofMillis(100))
                            .until(() -> state(ready.port(), "agent-pid").equals(Long.toString(newAgent)));
                    assertTrue(ready.workerPids().contains(Long.parseLong(RawHttp.get(ready.port(), "/pid").body())),
                            "still the old workers");
                    assertEquals("absent", state(ready.port(), "agent-" + oldAgent),
                            "the new agent's state replaces the old one; it is not merged with it");
                    assertEquals("published", state(ready.port(), "agent-" + newAgent));
                    assertEquals("hello", state(ready.port(), "banner"));
                    assertTrue(stateVersion(ready.port()) > versionBefore, "versions only go up");
                    assertEquals("agent:" + newAgent, ClusterScenarios.messenger(ready, "whoami-agent"));
                    cluster.awaitLine("TEST: agent pid " + newAgent + " received cluster-ready", BOOT);

                    Files.delete(hold);
                    assertEquals(0, reload.awaitExit(BOOT), reload.output());
                    assertEquals(newAgent, newAgentPid(reload.output()));
                    assertTrue(reload.output().contains("then every worker replaced"), reload.output());
                }
                int atReloadEnd = client.answered();
                await().atMost(Duration.ofSeconds(10)).until(() -> client.answered() > atReloadEnd + 50);
                client.close();
                assertEquals(List.of(), client.failures(), client.answered() + " requests answered");
            }
            long newWorker = Long.parseLong(RawHttp.get(ready.port(), "/pid").body());
            assertFalse(ready.workerPids().contains(newWorker), "the workers were replaced after the agent");
            assertEquals(Long.toString(newAgent), state(ready.port(), "agent-pid"));
        }
    }

    @Test
    void reloadWithAgentDeploysABuildWithOtherPayloadTypesAndKeepsTheTwoBuildsApartMeanwhile() throws Exception {
        Path newBuild = baseDir.resolve("new-build");
        Path hold = baseDir.resolve("hold-new-workers");
        try (ClusterProcess cluster = cluster(2).env("TEST_NEW_BUILD_FILE", newBuild.toString())
                .env("TEST_WORKER_HOLD_FILE", hold.toString()).start()) {
            ClusterProcess.Ready ready = cluster.awaitReady(BOOT);
            try (SteadyClient client = SteadyClient.start(ready.port(), "/pid")) {
                await().atMost(Duration.ofSeconds(10)).until(() -> client.answered() > 50);
                Files.writeString(newBuild, "payload type 1999 added");
                Files.writeString(hold, "hold");
                try (ClusterProcess reload = ClusterScenarios.testApp(baseDir, 1).args("reload", "--agent").start()) {
                    cluster.awaitLine("reload: the new agent is ready; now the workers", BOOT);
                    long newAgent = lastAgentLaunched(cluster);
                    cluster.awaitLine("IPC: the new agent (pid " + newAgent + ") registers other payload types than "
                            + "the running processes", Duration.ofSeconds(5));

                    // An old worker asks the agent: refused by the master, not read as the wrong type.
                    String answer = ClusterScenarios.messenger(ready, "whoami-agent");
                    assertTrue(answer.startsWith("failed (UNDELIVERABLE): ") && answer.contains("runs another build"),
                            answer);
                    assertEquals(Long.toString(ready.agentPid()), state(ready.port(), "agent-pid"),
                            "the old workers keep the old build's state");

                    Files.delete(hold);
                    assertEquals(0, reload.awaitExit(BOOT), reload.output());
                    assertTrue(reload.output().contains("then every worker replaced"), reload.output());
                    assertEquals("agent:" + newAgent, ClusterScenarios.messenger(ready, "whoami-agent"));
                    assertEquals(Long.toString(newAgent), state(ready.port(), "agent-pid"));
                }
                int atReloadEnd = client.answered();
                await().atMost(Duration.ofSeconds(10)).until(() -> client.answered() > atReloadEnd + 50);
                client.close();
                assertEquals(List.of(), client.failures(), client.answered() + " requests answered");
            }
        }
    }

    @Test
    void aReloadOfANewBuildThatStopsPartWaySaysWhichWorkersAreLeftOnTheOldBuild() throws Exception {
        Path newBuild = baseDir.resolve("new-build");
        Path crash = baseDir.resolve("crash-new-workers");
        try (ClusterProcess cluster = cluster(2).env("TEST_NEW_BUILD_FILE", newBuild.toString())
                .env("TEST_WORKER_CRASH_FILE", crash.toString()).start()) {
            ClusterProcess.Ready ready = cluster.awaitReady(BOOT);
            Files.writeString(newBuild, "payload type 1999 added");
            Files.writeString(crash, "crash");

            try (ClusterProcess reload = command("reload", "--agent")) {
                assertEquals(1, reload.process().exitValue(), reload.output());
            }
            String left = " of the old build serve on with its last shared state, which no longer changes";
            cluster.awaitLine(left, Duration.ofSeconds(10));
            String warning = cluster.lines().stream().filter(line -> line.contains(left)).findFirst().orElseThrow();
            for (long pid : ready.workerPids()) {
                assertTrue(warning.contains("(pid " + pid + ")"), warning);
            }
        }
    }

    private static long lastAgentLaunched(ClusterProcess cluster) {
        Pattern launched = Pattern.compile("launched agent \\(pid (\\d+)\\)");
        long pid = 0;
        for (String line : cluster.lines()) {
            Matcher matcher = launched.matcher(line);
            if (matcher.find()) {
                pid = Long.parseLong(matcher.group(1));
            }
        }
        return pid;
    }

    @Test
    void reloadAfterTheAgentDiedStartsANewAgentThatMessagesReachAgain() throws Exception {
        try (ClusterProcess cluster = cluster(1).start()) {
            ClusterProcess.Ready ready = cluster.awaitReady(BOOT);
            ProcessHandle.of(ready.agentPid()).orElseThrow().destroyForcibly();
            cluster.awaitLine("ALARM agent-died", Duration.ofSeconds(10));
            assertEquals(Long.toString(ready.agentPid()), state(ready.port(), "agent-pid"), "the last state stays");

            try (ClusterProcess reload = command("reload")) {
                assertEquals(0, reload.process().exitValue(), reload.output());
                long newAgent = newAgentPid(reload.output());
                assertTrue(reload.output().contains("then every worker replaced"), reload.output());
                assertEquals("agent:" + newAgent, ClusterScenarios.messenger(ready, "whoami-agent"));
                assertEquals(Long.toString(newAgent), state(ready.port(), "agent-pid"));
            }
            cluster.awaitLine("reload: the agent is dead: starting a new one first", Duration.ofSeconds(5));
            try (ClusterProcess status = command("status")) {
                assertFalse(status.output().contains("dead:"), status.output());
            }
        }
    }

    @Test
    void afterANewBuildsAgentFailedAWorkerOfTheBuildThatServesIsReplacedAndServes() throws Exception {
        Path newBuild = baseDir.resolve("new-build");
        Path crash = baseDir.resolve("crash-agent-at-boot");
        try (ClusterProcess cluster = cluster(2).env("TEST_NEW_BUILD_FILE", newBuild.toString())
                .env("TEST_AGENT_CRASH_FILE", crash.toString()).start()) {
            ClusterProcess.Ready ready = cluster.awaitReady(BOOT);
            // A build with other payload types whose agent fails at its start.
            Files.writeString(newBuild, "payload type 1999 added");
            Files.writeString(crash, "crash");
            try (ClusterProcess reload = command("reload", "--agent")) {
                assertEquals(1, reload.process().exitValue(), reload.output());
                assertTrue(reload.output().contains("reload aborted: the new agent (pid "), reload.output());
            }
            assertTrue(cluster.output().contains("registers other payload types than the running processes"),
                    cluster.output());

            // The operator puts the build that serves back; a worker dies meanwhile: its replacement is of the
            // build that serves, reads its state and serves.
            Files.delete(newBuild);
            long dead = ready.workerPids().get(0);
            ProcessHandle.of(dead).orElseThrow().destroyForcibly();
            await("the replacement serves").atMost(BOOT).pollInterval(Duration.ofMillis(200)).until(() -> {
                long pid = Long.parseLong(RawHttp.get(ready.port(), "/pid").body());
                return !ready.workerPids().contains(pid);
            });
            assertEquals(Long.toString(ready.agentPid()), state(ready.port(), "agent-pid"), "the state it serves");
        }
    }

    @Test
    void reloadWhoseNewAgentFailsStopsThereAndTheWorkersServeOnWithTheLastState() throws Exception {
        Path crash = baseDir.resolve("crash-agent-at-boot");
        try (ClusterProcess cluster = cluster(2).env("TEST_AGENT_CRASH_FILE", crash.toString()).start()) {
            ClusterProcess.Ready ready = cluster.awaitReady(BOOT);
            Files.writeString(crash, "crash");

            try (ClusterProcess reload = command("reload", "--agent")) {
                assertEquals(1, reload.process().exitValue(), reload.output());
                assertTrue(reload.output().contains("reload aborted: the new agent (pid "), reload.output());
                assertTrue(reload.output().contains("exited with exit code 13 before it was ready"), reload.output());
            }
            cluster.awaitLine("ALARM reload-aborted: reload aborted: the new agent (pid ", Duration.ofSeconds(10));
            for (int i = 0; i < 10; i++) {
                long pid = Long.parseLong(RawHttp.get(ready.port(), "/pid").body());
                assertTrue(ready.workerPids().contains(pid), "the old workers serve on");
            }
            assertEquals(Long.toString(ready.agentPid()), state(ready.port(), "agent-pid"),
                    "the state of the agent that was stopped stays");
            try (ClusterProcess status = command("status")) {
                assertTrue(status.output().contains("dead: exited with exit code 13"), status.output());
            }

            // Fixed: the next reload starts a new agent, since there is none.
            Files.delete(crash);
            try (ClusterProcess reload = command("reload")) {
                assertEquals(0, reload.process().exitValue(), reload.output());
                assertEquals(Long.toString(newAgentPid(reload.output())), state(ready.port(), "agent-pid"));
            }
        }
    }

    @Test
    void reloadWhoseNewAgentFailsAfterItWasReadyIsReportedAbortedNotDone() throws Exception {
        Path fail = baseDir.resolve("fail-agent-did-ready");
        try (ClusterProcess cluster = cluster(2).env("TEST_AGENT_DID_READY_FAIL_FILE", fail.toString()).start()) {
            ClusterProcess.Ready ready = cluster.awaitReady(BOOT);
            Files.writeString(fail, "fail");

            // Its ready comes before its didReady hooks, which fail it: the reload does not go on as if it ran.
            try (ClusterProcess reload = command("reload", "--agent")) {
                assertEquals(1, reload.process().exitValue(), reload.output());
                assertTrue(reload.output().matches("(?s).*reload aborted: the new agent \\(pid \\d+\\) exited with "
                        + "exit code 3 after it was ready \\(in a didReady hook, say: its log says why\\).*"),
                        reload.output());
            }
            cluster.awaitLine("ALARM reload-aborted: reload aborted: the new agent (pid ", Duration.ofSeconds(10));
            try (ClusterProcess status = command("status")) {
                assertTrue(status.output().contains("dead: exit code 3"), status.output());
                // The new worker that was starting stopped with the reload: the old ones serve on.
                for (long pid : ready.workerPids()) {
                    assertTrue(status.output().matches("(?s).*\\nworker +\\d+ +" + pid + " +ready .*"),
                            status.output());
                }
            }
        } finally {
            Files.deleteIfExists(fail);
        }
    }
}
