package dev.clutch.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clutch.core.testing.ClusterProcess;
import dev.clutch.core.testing.Http;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code start --single}: the same application, its agent and one worker in one JVM, with the same APIs. */
class SingleProcessTest {

    private static final Duration BOOT = Duration.ofSeconds(60);

    @TempDir
    Path baseDir;

    @Test
    void servesTheSameAppWithMessengerStateAndHooksInOneJvm() throws Exception {
        Files.writeString(baseDir.resolve("flags.conf"), "banner = hello\n");
        try (ClusterProcess cluster = ClusterScenarios.testApp(baseDir, 3)
                .property("clutch.state.file", "flags.conf")
                .property("clutch.state.filePollInterval", "50ms")
                .property("clutch.worker.heartbeatIntervl", "1s")
                .property("clutch.dev.watch", "true")
                .args("start", "--single")
                .start()) {
            ClusterProcess.Ready ready = cluster.awaitReady(BOOT);
            assertEquals(cluster.pid(), ready.agentPid(), "the agent runs in the process started");
            assertEquals(List.of(cluster.pid()), ready.workerPids(), "one worker, in the same process");
            assertEquals(List.of(cluster.pid()), cluster.livePids(), "no other JVM was started");
            assertTrue(cluster.output().contains("plugins: "), "the plugins, as a cluster logs them");
            assertTrue(cluster.output().contains("did you mean clutch.worker.heartbeatInterval?"),
                    "unknown keys warned about, as in a cluster");
            assertTrue(cluster.output().contains("clutch.dev.watch is on, but a single-process run does not restart "
                    + "on rebuilt classes"), cluster.output());

            assertEquals(Long.toString(cluster.pid()), Http.get(ready.url("/pid")).body());
            assertEquals("hello", Http.get(ready.url("/state/banner")).body());
            assertEquals("ana from agent", Http.get(ready.url("/msg/echo-agent?name=ana")).body());
            assertEquals("worker-1:" + cluster.pid(), Http.get(ready.url("/msg/whoami-pid?pid=" + cluster.pid()))
                    .body());
            assertTrue(Http.get(ready.url("/msg/unknown-pid")).body().startsWith("failed (UNDELIVERABLE): 'whoami' "
                    + "could not be delivered: no process of this cluster has pid 999999999"));
            assertTrue(Http.get(ready.url("/msg/unregistered")).body().startsWith("refused: "));
            assertEquals("failed (TIMED_OUT): no reply to 'slow' within 200 ms",
                    Http.get(ready.url("/msg/slow-agent")).body());

            assertEquals("sent", Http.get(ready.url("/msg/broadcast?name=bo")).body());
            await("the broadcast reached the agent and the worker").atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> Http.get(ready.url("/msg/acks")).body().split("\\|").length == 2);

            Files.writeString(baseDir.resolve("flags.conf"), "banner = changed\n");
            await("the state change reaches the worker").atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> Http.get(ready.url("/state/banner")).body().equals("changed"));

            // What a cluster's scripts send is no reason to suspend or end it.
            for (String signal : List.of("TTIN", "TTOU", "USR1")) {
                cluster.signal(signal);
                cluster.awaitLine("SIG" + signal + " ignored", BOOT);
            }
            assertEquals(Long.toString(cluster.pid()), Http.get(ready.url("/pid")).body());

            // It holds the run directory: a second start would share its log files.
            try (ClusterProcess second = ClusterScenarios.testApp(baseDir, 1).args("start", "--single").start()) {
                assertEquals(3, second.awaitExit(BOOT), second.output());
                assertTrue(second.output().contains("another Clutch instance (pid " + cluster.pid()
                        + ") already runs with run directory " + baseDir.resolve("run")), second.output());
            }
            try (ClusterProcess stop = ClusterScenarios.testApp(baseDir, 1).args("stop").start()) {
                assertEquals(1, stop.awaitExit(BOOT), stop.output());
                assertTrue(stop.output().contains("but pid " + cluster.pid() + " holds its run directory: either a "
                        + "single-process run (start --single), which takes no commands (Ctrl-C or kill -TERM "
                        + cluster.pid() + " stops it)"), stop.output());
            }

            cluster.signal("TERM");
            assertEquals(0, cluster.awaitExit(BOOT));
            String output = cluster.output();
            assertTrue(output.indexOf("TEST-HOOK worker-1 app beforeClose") < output.indexOf(
                    "TEST-HOOK agent app beforeClose"), "the worker stops first:\n" + output);
            assertTrue(output.contains("TEST-HOOK agent app serverDidReady"), output);
        }
    }

    @Test
    void aHookThatHangsFailsTheStartWithinTheStartTimeoutsNamingWhereItHangs() throws Exception {
        String output = ClusterScenarios.failedStart(ClusterScenarios.testApp(baseDir, 1)
                .property("clutch.agent.startTimeout", "4s")
                .property("clutch.worker.startTimeout", "1s")
                .env("TEST_AGENT_HANG", "1")
                .args("start", "--single"), 3);
        assertTrue(output.contains("TEST: agent hangs in willReady"), output);
        assertTrue(output.contains("the start did not finish within 5000 ms (clutch.agent.startTimeout + "
                + "clutch.worker.startTimeout): a hook or constructor of the application hangs"), output);
        assertTrue(output.matches("(?s).*where clutch-single-start was stuck.*TestApp\\$\\w+\\.willReady.*"), output);
    }

    @Test
    void anAssertFailingInAHookFailsTheStartAndStopsWhatStarted() throws Exception {
        String output = ClusterScenarios.failedStart(ClusterScenarios.testApp(baseDir, 1)
                .env("TEST_WORKER_ASSERT", "1")
                .args("start", "--single"), 3);
        assertTrue(output.contains("willReady failed: java.lang.AssertionError: TEST: a worker's assert fails"),
                output);
        assertTrue(output.contains("stopped"), output);
    }
}
