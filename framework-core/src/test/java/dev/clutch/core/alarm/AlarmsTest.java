package dev.clutch.core.alarm;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A reload may point the alarms at another webhook: the next alarm goes there, and only there. */
class AlarmsTest {

    private final List<HttpServer> servers = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopServers() {
        servers.forEach(server -> server.stop(0));
    }

    /** A webhook on a free loopback port that keeps the bodies it was posted. */
    private String webhook(List<String> received) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/alarm", exchange -> {
            received.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        servers.add(server);
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/alarm";
    }

    @Test
    void alarmsGoToTheWebhookInUseWhenTheyAreRaised() throws IOException {
        List<String> first = new CopyOnWriteArrayList<>();
        List<String> second = new CopyOnWriteArrayList<>();
        Duration timeout = Duration.ofSeconds(5);
        Alarms alarms = Alarms.create("app", webhook(first), timeout, 1, AlarmsTest.class.getClassLoader());

        alarms.raise("one", "first alarm", Map.of(), List.of());
        await().atMost(Duration.ofSeconds(10)).until(() -> first.size() == 1);

        String secondUrl = webhook(second);
        alarms.useWebhook(secondUrl, timeout, 1);
        alarms.raise("two", "second alarm", Map.of(), List.of());
        await().atMost(Duration.ofSeconds(10)).until(() -> second.size() == 1);

        alarms.useWebhook("", timeout, 1);
        alarms.raise("three", "third alarm", Map.of(), List.of());
        alarms.useWebhook(secondUrl, timeout, 1);
        alarms.raise("four", "fourth alarm", Map.of(), List.of());
        await().atMost(Duration.ofSeconds(10)).until(() -> second.size() == 2);

        assertEquals(1, first.size(), "the first webhook got only the alarm raised while in use: " + first);
        assertEquals(List.of(true, true), second.stream().map(body -> body.contains("\"kind\":\"two\"")
                || body.contains("\"kind\":\"four\"")).toList(), "no webhook, no delivery of three: " + second);
    }

    @Test
    void aSinkThatThrowsAnErrorDoesNotStopTheOthers() {
        List<String> heard = new CopyOnWriteArrayList<>();
        dev.clutch.core.spi.AlarmSink broken = alarm -> {
            throw new NoClassDefFoundError("an optional dependency the sink needs");
        };
        Alarms alarms = new Alarms("app", List.of(broken, alarm -> heard.add(alarm.kind())));

        alarms.raise("worker-hung", "a worker hangs", Map.of(), List.of());

        assertEquals(List.of("worker-hung"), heard);
    }
}
