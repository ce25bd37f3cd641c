package dev.clutch.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clutch.core.testing.ClusterProcess;
import dev.clutch.core.testing.RawHttp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** State the agent publishes from a file reaches every worker, in order, and outlives the agent. */
class SharedStateTest {

    private static final Duration BOOT = Duration.ofSeconds(60);

    @TempDir
    Path baseDir;

    /** A cluster whose agent publishes {@code flags.conf} in the base directory. */
    private ClusterProcess.Builder withStateFile(int workers) {
        return ClusterScenarios.testApp(baseDir, workers)
                .property("clutch.state.file", "flags.conf")
                .property("clutch.state.filePollInterval", "50ms");
    }

    private ClusterProcess start(int workers) throws IOException {
        return withStateFile(workers).start();
    }

    /** What each worker answers for {@code key}: by pid, over enough requests to reach them all. */
    private static Map<Long, String> perWorker(ClusterProcess.Ready ready, String key) throws IOException {
        Map<Long, String> answers = new HashMap<>();
        for (int i = 0; i < 8 * ready.workerPids().size(); i++) {
            RawHttp.Reply reply = RawHttp.get(ready.port(), "/state/" + key);
            answers.put(Long.parseLong(reply.header("X-Clutch-Worker")),
                    reply.status() == 200 ? reply.body() : "absent");
        }
        return answers;
    }

    private static boolean everyWorkerSays(ClusterProcess.Ready ready, String key, String value) throws IOException {
        Map<Long, String> answers = perWorker(ready, key);
        return answers.keySet().containsAll(ready.workerPids()) && answers.values().stream().allMatch(value::equals);
    }

    @Test
    void everyWorkerStartsWithTheFileAndFollowsItsChanges() throws Exception {
        Files.writeString(baseDir.resolve("flags.conf"), "checkout { enabled = true, rollout = 25 }\nbanner = hello\n");
        try (ClusterProcess cluster = start(2)) {
            ClusterProcess.Ready ready = cluster.awaitReady(BOOT);
            assertTrue(everyWorkerSays(ready, "banner", "hello"), "the snapshot arrived before ready");
            for (int worker = 1; worker <= 2; worker++) {
                assertTrue(cluster.log("worker-" + worker + ".log").contains("TEST: state at load: [banner, checkout]"),
                        "the application's code starts with the whole state");
            }
            assertTrue(everyWorkerSays(ready, "checkout", "{\"enabled\":true,\"rollout\":25}"));

            Files.writeString(baseDir.resolve("flags.conf"), "checkout { enabled = false, rollout = 0 }\n"
                    + "theme = dark\n");

            await("the change reaches every worker").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> everyWorkerSays(ready, "theme", "dark"));
            assertTrue(everyWorkerSays(ready, "checkout", "{\"enabled\":false,\"rollout\":0}"));
            assertTrue(everyWorkerSays(ready, "banner", "absent"), "a key gone from the file is removed");
        }
    }

    @Test
    void fileThatDoesNotParseKeepsTheLastGoodStateAndSaysWhere() throws Exception {
        Files.writeString(baseDir.resolve("flags.conf"), "banner = hello\n");
        try (ClusterProcess cluster = start(1)) {
            ClusterProcess.Ready ready = cluster.awaitReady(BOOT);

            Files.writeString(baseDir.resolve("flags.conf"), "banner = hello\nbroken = [\n");

            cluster.awaitLine("flags.conf does not parse, the last good state stays published", Duration.ofSeconds(10));
            String error = cluster.lines().stream().filter(l -> l.contains("does not parse")).findFirst().orElseThrow();
            assertTrue(error.contains("flags.conf: 3"), error);
            // The console's copy of the line can arrive before the agent's file appender has written it.
            await("the error in common-error.log").atMost(Duration.ofSeconds(10))
                    .until(() -> cluster.log("common-error.log").contains("does not parse"));
            assertEquals("hello", RawHttp.get(ready.port(), "/state/banner").body());

            try (ClusterProcess state = ClusterScenarios.testApp(baseDir, 1).args("state").start()) {
                assertEquals(0, state.awaitExit(BOOT), state.output());
                assertTrue(state.output().contains("shared state at version 1, 1 key\n"), state.output());
                assertTrue(state.output().contains("banner (v1) = hello"), state.output());
            }
            try (ClusterProcess json = ClusterScenarios.testApp(baseDir, 1).args("state", "--json").start()) {
                assertEquals(0, json.awaitExit(BOOT), json.output());
                String entry = "{\"key\":\"banner\",\"text\":\"hello\",\"value\":\"AwZoZWxsbw==\",\"version\":1}";
                assertTrue(json.output().contains(entry), json.output());
            }
        }
    }

    @Test
    void stateTooLargeForOneMessageIsRefusedAndLaterChangesStillReachTheWorkers() throws Exception {
        Files.writeString(baseDir.resolve("flags.conf"), "banner = hello\n");
        try (ClusterProcess cluster = withStateFile(1).property("clutch.ipc.maxFrameBytes", "64KiB").start()) {
            ClusterProcess.Ready ready = cluster.awaitReady(BOOT);

            String half = "x".repeat(40_000);
            Files.writeString(baseDir.resolve("flags.conf"), "banner = hello\nfirst = \"" + half + "\"\n");
            await("a value under the limit is published").atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> everyWorkerSays(ready, "first", half));

            // Each value fits in a message, but a joining worker would get the whole state in one, over the limit.
            Files.writeString(baseDir.resolve("flags.conf"), "banner = hello\nfirst = \"" + half + "\"\n"
                    + "second = \"" + half + "\"\n");
            cluster.awaitLine("shared state change of [second] refused: the state would take", Duration.ofSeconds(10));
            assertTrue(cluster.lines().stream().anyMatch(l -> l.contains("over clutch.ipc.maxFrameBytes (65536 "
                    + "bytes)") && l.contains("the last good state stays published")), cluster.output());
            assertEquals(404, RawHttp.get(ready.port(), "/state/second").status());

            // The command reads a reply sized by the master's limit, not by its own (about 70 KB at 1 KiB).
            try (ClusterProcess state = ClusterScenarios.testApp(baseDir, 1).args("state")
                    .property("clutch.ipc.maxFrameBytes", "1KiB").start()) {
                assertEquals(0, state.awaitExit(BOOT), state.output());
                assertTrue(state.output().contains("first (v2) = " + half), state.output());
            }

            Files.writeString(baseDir.resolve("flags.conf"), "banner = bye\n");
            await("the next change reaches the worker").atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> everyWorkerSays(ready, "banner", "bye"));
            assertTrue(cluster.lines().stream().noneMatch(l -> l.contains("does not follow version")),
                    cluster.output());
        }
    }

    @Test
    void aSourceBoundOnItsOwnAndLinkedIntoTheSetIsStarted() throws Exception {
        try (ClusterProcess cluster = ClusterScenarios.testApp(baseDir, 1).env("TEST_PLAIN_STATE_SOURCE", "linked")
                .start()) {
            ClusterProcess.Ready ready = cluster.awaitReady(BOOT);

            assertEquals("published", RawHttp.get(ready.port(), "/state/plain-source").body());
        }
    }

    @Test
    void workerForkedWhileTheAgentIsDeadStartsWithTheLastState() throws Exception {
        Files.writeString(baseDir.resolve("flags.conf"), "banner = before\n");
        try (ClusterProcess cluster = start(1)) {
            ClusterProcess.Ready ready = cluster.awaitReady(BOOT);
            Files.writeString(baseDir.resolve("flags.conf"), "banner = last\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> everyWorkerSays(ready, "banner", "last"));

            ProcessHandle.of(ready.agentPid()).orElseThrow().destroyForcibly();
            cluster.awaitLine("ALARM agent-died", Duration.ofSeconds(10));
            long old = ready.workerPids().get(0);
            ProcessHandle.of(old).orElseThrow().destroyForcibly();

            await("a replacement serves the last state").atMost(BOOT).pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        RawHttp.Reply reply = RawHttp.get(ready.port(), "/state/banner");
                        return reply.status() == 200 && !reply.header("X-Clutch-Worker").equals(Long.toString(old))
                                && reply.body().equals("last");
                    });
            assertEquals(1, cluster.count("launched agent "),
                    "the agent stays dead: the state came from the master");
        }
    }
}
