package ${package};

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clutch.core.api.testing.ClutchTest;
import dev.clutch.core.api.testing.TestCluster;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Boots the application in this JVM (agent and one worker) on a free port, with a tick every 100 ms. */
@ClutchTest(value = App.class, config = "hello.tickEvery = 100ms")
class HelloTest {

    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private static String get(TestCluster app, String path) throws Exception {
        HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(app.uri(path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    @Test
    void helloServesWhatTheAgentPublished(TestCluster app) throws Exception {
        assertTrue(get(app, "/hello").contains("\"greeting\":\"Hello from ${artifactId}\""));
        assertEquals("Hello from ${artifactId}", app.sharedState().get("greeting"));
    }

    @Test
    void theAgentsScheduleReachesTheWorker(TestCluster app) {
        await("ticks from the agent's schedule").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> (Long) app.sharedState().get("ticks") >= 2 && !get(app, "/hello").contains("\"ticks\":0,"));
    }
}
