package dev.clutch.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clutch.core.testing.ClusterProcess;
import dev.clutch.core.testing.Http;
import dev.clutch.core.testing.RawHttp;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a worker answers, and that nothing a client sends stops it serving. */
class HttpBehaviourTest {

    @TempDir
    static Path baseDir;
    static ClusterProcess cluster;
    static ClusterProcess.Ready ready;
    static long worker;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = ClusterScenarios.testApp(baseDir, 1)
                .property("clutch.http.maxBodyBytes", "1KiB")
                .start();
        ready = cluster.awaitReady(Duration.ofSeconds(60));
        worker = ready.workerPids().get(0);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @AfterEach
    void theSameWorkerStillServes() throws Exception {
        RawHttp.Reply reply = RawHttp.get(ready.port(), "/pid");
        assertEquals(200, reply.status());
        assertEquals(Long.toString(worker), reply.body());
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HttpClient.newHttpClient().send(request.timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder to(String path) {
        return HttpRequest.newBuilder(URI.create(ready.url(path)));
    }

    @Test
    void unknownPathIs404WithARequestId() throws Exception {
        HttpResponse<String> response = Http.get(ready.url("/nowhere"));
        assertEquals(404, response.statusCode());
        String id = response.headers().firstValue("X-Request-Id").orElseThrow();
        assertEquals("{\"status\":404,\"error\":\"no route for GET /nowhere\",\"requestId\":\"" + id + "\"}",
                response.body());
    }

    @Test
    void wrongMethodIs405NamingTheAllowedOnes() throws Exception {
        HttpResponse<String> response = Http.get(ready.url("/echo"));
        assertEquals(405, response.statusCode());
        assertEquals("POST", response.headers().firstValue("Allow").orElseThrow());
    }

    @Test
    void jsonBodyInAndOut() throws Exception {
        HttpResponse<String> response = send(to("/echo").POST(HttpRequest.BodyPublishers.ofString(
                "{\"name\":\"clutch\",\"times\":3}")));
        assertEquals(200, response.statusCode());
        assertEquals("application/json", response.headers().firstValue("content-type").orElseThrow());
        assertEquals("{\"name\":\"clutch\",\"times\":3}", response.body());
        assertEquals("test-app", response.headers().firstValue("X-Powered-By").orElseThrow(), "filters ran");
    }

    @Test
    void theHealthRouteSkipsTheApplicationsFilters() throws Exception {
        HttpResponse<String> health = Http.get(ready.url("/_clutch/health"));
        assertEquals(200, health.statusCode());
        assertEquals(java.util.Optional.empty(), health.headers().firstValue("X-Powered-By"), "no filter ran");
        assertEquals("test-app", Http.get(ready.url("/pid")).headers().firstValue("X-Powered-By").orElse(null),
                "they run on the application's non-blocking routes");
    }

    @Test
    void theClientsAddressIsHostColonPort() throws Exception {
        String client = Http.get(ready.url("/client")).body();
        assertTrue(client.matches("127\\.0\\.0\\.1:\\d{1,5}"), client);
    }

    @Test
    void malformedJsonIs400SayingWhere() throws Exception {
        HttpResponse<String> response = send(to("/echo").POST(HttpRequest.BodyPublishers.ofString(
                "{\"name\": \"clutch\",\n \"times\": }")));
        assertEquals(400, response.statusCode());
        assertTrue(response.body().contains("the body is not valid JSON for Greeting (line 2"), response.body());
    }

    @Test
    void aValueOfAnotherTypeIs400NotCoerced() throws Exception {
        for (String times : new String[] {"2.5", "\"3\""}) {
            HttpResponse<String> response = send(to("/echo").POST(HttpRequest.BodyPublishers.ofString(
                    "{\"name\": \"clutch\", \"times\": " + times + "}")));
            assertEquals(400, response.statusCode(), times + ": " + response.body());
            assertTrue(response.body().contains("the body is not valid JSON for Greeting (line 1"), response.body());
        }
    }

    @Test
    void bodyOverTheLimitIs413() throws Exception {
        HttpResponse<String> response = send(to("/echo").POST(HttpRequest.BodyPublishers.ofString(
                "{\"name\":\"" + "x".repeat(2048) + "\",\"times\":1}")));
        assertEquals(413, response.statusCode());
    }

    @Test
    void garbageBytesGetA400OrAClosedConnection() throws Exception {
        RawHttp.Reply reply = RawHttp.send(ready.port(), "\u0001\u0002 nonsense \r\n\r\n\r\n"
                .getBytes(StandardCharsets.ISO_8859_1));
        assertTrue(reply.status() == 400 || reply.status() == 0, "status " + reply.status());
    }

    @Test
    void malformedUriIs400AndNothingIsLoggedAsAnError() throws Exception {
        RawHttp.Reply reply = RawHttp.get(ready.port(), "/items/%zz");
        assertEquals(400, reply.status());
        assertTrue(reply.body().contains("malformed URI"), reply.body());
    }

    @Test
    void handlerExceptionIs500WithARequestIdAndIsLogged() throws Exception {
        HttpResponse<String> response = Http.get(ready.url("/boom"));
        assertEquals(500, response.statusCode());
        String id = response.headers().firstValue("X-Request-Id").orElseThrow();
        assertTrue(response.body().contains("internal error; quote request id " + id), response.body());
        assertEquals("test-app", response.headers().firstValue("X-Powered-By").orElse(null),
                "filters see error responses too");
        cluster.awaitLine("GET /boom failed (request " + id + "): java.lang.IllegalStateException: TEST: boom",
                Duration.ofSeconds(10));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> cluster.log("common-error.log").contains("request " + id));
    }

    @Test
    void chunkedResponseArrivesWhole() throws Exception {
        HttpResponse<String> response = Http.get(ready.url("/lines"));
        assertEquals(200, response.statusCode());
        assertEquals("chunked", response.headers().firstValue("transfer-encoding").orElseThrow());
        assertEquals("one\ntwo\nthree\n", response.body());
    }

    @Test
    void clientThatHalfClosesAfterItsRequestStillGetsTheResponse() throws Exception {
        // A blocking route: the client's end of input arrives while the handler still runs.
        RawHttp.Reply reply = RawHttp.send(ready.port(), "GET /slow?ms=300 HTTP/1.1\r\nHost: x\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII), true);
        assertEquals(200, reply.status());
        assertEquals("slow done", reply.body());
    }

    @Test
    void responseToAClientThatWentAwayIsLogged499() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", ready.port())) {
            socket.getOutputStream().write(("GET /slow?ms=1000 HTTP/1.1\r\nHost: x\r\n"
                    + "X-Request-Id: gone-before-answer\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            org.awaitility.Awaitility.await("the handler runs").atMost(Duration.ofSeconds(10))
                    .until(() -> cluster.log("worker-1.log").contains("slow request gone-before-answer started"));
            // Reset, not closed: the worker's next read fails and the connection is gone before the answer.
            socket.setSoLinger(true, 0);
        }
        org.awaitility.Awaitility.await("the access line").atMost(Duration.ofSeconds(10))
                .until(() -> cluster.log("worker-1-access.log").lines().anyMatch(l ->
                        l.contains("\"GET /slow?ms=1000\" 499 0 ") && l.endsWith("gone-before-answer")));
    }

    @Test
    void everyRequestReachesTheAccessLog() throws Exception {
        HttpResponse<String> response = Http.get(ready.url("/items/7"));
        String id = response.headers().firstValue("X-Request-Id").orElseThrow();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> cluster.log("worker-1-access.log").contains("\"GET /items/7\" 200 "));
        assertTrue(cluster.log("worker-1-access.log").contains(id));
    }
}
