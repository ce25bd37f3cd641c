package dev.clutch.sample;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clutch.core.testing.ClusterProcess;
import dev.clutch.core.testing.Http;
import dev.clutch.core.testing.RawHttp;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The feature-flag service as it runs in production, a master with an agent and two workers: a change made through
 * one worker reaches every worker, and the flags, their versions and every user's answer survive a rolling reload
 * and the kill of a worker.
 */
class FlagsEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final List<String> USERS = List.of("ana", "bo", "chen", "dee", "eli", "fay", "gus", "hal");

    @TempDir
    Path baseDir;

    @Test
    void changesReachEveryWorkerAcrossAReloadAndAWorkerKill() throws Exception {
        try (ClusterProcess cluster = ClusterProcess.builder(baseDir)
                .mainClass(FlagsApp.class)
                .property("clutch.http.host", "127.0.0.1")
                .args("start", "--workers", "2", "--port", "0")
                .start()) {
            ClusterProcess.Ready ready = cluster.awaitReady(WAIT);
            int port = ready.port();

            HttpResponse<String> put = Http.put(ready.url("/flags/checkout-v2"), "{\"enabled\": true, \"rollout\": 50}");
            assertEquals(200, put.statusCode(), put.body());
            long version = JSON.readTree(put.body()).get("version").asLong();
            String expected = "checkout-v2 true 50 " + version;
            await("every worker has the change").atMost(WAIT).until(() -> everyWorkerSays(port, ready.workerPids(),
                    expected));
            Map<String, Boolean> answers = evaluations(port);

            cluster.signal("HUP");
            cluster.awaitLine("reload done", WAIT);
            Set<Long> reloaded = workersServing(port);
            assertTrue(reloaded.stream().noneMatch(ready.workerPids()::contains), "new workers: " + reloaded);
            assertTrue(everyWorkerSays(port, reloaded, expected), "the reloaded workers start with the state");
            assertEquals(answers, evaluations(port), "every user keeps the same answer");

            long victim = reloaded.iterator().next();
            ProcessHandle.of(victim).ifPresent(ProcessHandle::destroyForcibly);
            await("a replacement serves").atMost(WAIT).until(() -> {
                Set<Long> serving = workersServing(port);
                return serving.size() == 2 && !serving.contains(victim);
            });
            Set<Long> afterKill = workersServing(port);
            assertTrue(everyWorkerSays(port, afterKill, expected), "the replacement starts with the state");

            HttpResponse<String> again = Http.put(ready.url("/flags/checkout-v2"), "{\"enabled\": false, "
                    + "\"rollout\": 50}");
            assertEquals(200, again.statusCode(), again.body());
            String off = "checkout-v2 false 50 " + JSON.readTree(again.body()).get("version").asLong();
            await("the next change reaches every worker").atMost(WAIT).until(() -> everyWorkerSays(port, afterKill,
                    off));

            cluster.signal("TERM");
            assertEquals(0, cluster.awaitExit(WAIT));
        }
    }

    /** The flag as each worker answers it, by pid, over enough requests to reach every worker. */
    private static Map<Long, String> perWorker(int port) throws IOException {
        Map<Long, String> answers = new HashMap<>();
        for (int i = 0; i < 24; i++) {
            RawHttp.Reply reply = RawHttp.get(port, "/flags/checkout-v2");
            JsonNode flag = JSON.readTree(reply.body());
            answers.put(Long.parseLong(reply.header("X-Clutch-Worker")), flag.get("name").asText() + " "
                    + flag.get("enabled").asBoolean() + " " + flag.get("rollout").asInt() + " "
                    + flag.get("version").asLong());
        }
        return answers;
    }

    private static boolean everyWorkerSays(int port, java.util.Collection<Long> workers, String expected)
            throws IOException {
        Map<Long, String> answers = perWorker(port);
        return answers.keySet().containsAll(workers) && answers.values().stream().allMatch(expected::equals);
    }

    private static Set<Long> workersServing(int port) throws IOException {
        return new HashSet<>(perWorker(port).keySet());
    }

    /** Each user's answer; every worker must give the same one. */
    private static Map<String, Boolean> evaluations(int port) throws IOException {
        Map<String, Boolean> answers = new HashMap<>();
        for (int round = 0; round < 3; round++) {
            for (String user : USERS) {
                boolean on = JSON.readTree(RawHttp.get(port, "/flags/checkout-v2/evaluate?user=" + user).body())
                        .get("enabled").asBoolean();
                Boolean before = answers.putIfAbsent(user, on);
                assertTrue(before == null || before == on, "every worker gives " + user + " the same answer");
            }
        }
        return answers;
    }
}
