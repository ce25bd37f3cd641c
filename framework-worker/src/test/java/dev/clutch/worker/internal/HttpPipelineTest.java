package dev.clutch.worker.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clutch.worker.api.Route;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** The HTTP pipeline of one connection, without sockets. */
class HttpPipelineTest {

    private static EmbeddedChannel connection() {
        Route hello = new Route("GET", "/hello", HelloHandler.class, false);
        Route opaque = new Route("GET", "/opaque", OpaqueHandler.class, false);
        Dispatcher.Shared shared = new Dispatcher.Shared(new RouteTable(Set.of(hello, opaque)),
                Map.of(HelloHandler.class, HelloHandler::new, OpaqueHandler.class, OpaqueHandler::new), List.of(),
                Executors.newSingleThreadExecutor(),
                Duration.ofSeconds(5), new InFlight(), new Draining(), new ResponseWriter(false), new RequestIds(),
                new FatalErrors(message -> { }));
        return new EmbeddedChannel(new HttpInitializer(shared, 1024, 60_000));
    }

    static final class HelloHandler implements dev.clutch.worker.api.Handler {
        @Override
        public Object handle(dev.clutch.worker.api.Request request) {
            return "hello";
        }
    }

    /** Returns what JSON cannot write. */
    static final class OpaqueHandler implements dev.clutch.worker.api.Handler {
        @Override
        public Object handle(dev.clutch.worker.api.Request request) {
            return new Object();
        }
    }

    private static String responses(EmbeddedChannel channel) {
        StringBuilder out = new StringBuilder();
        for (Object o = channel.readOutbound(); o != null; o = channel.readOutbound()) {
            out.append(((ByteBuf) o).toString(StandardCharsets.UTF_8));
            ((ByteBuf) o).release();
        }
        return out.toString();
    }

    @Test
    void keepAliveConnectionServesRequestAfterRequest() {
        EmbeddedChannel channel = connection();
        for (int i = 0; i < 3; i++) {
            channel.writeInbound(Unpooled.copiedBuffer("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n",
                    StandardCharsets.US_ASCII));
            channel.runPendingTasks();
            String response = responses(channel);
            assertTrue(response.startsWith("HTTP/1.1 200 OK"), "request " + i + ": " + response);
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() {
        EmbeddedChannel channel = connection();
        channel.writeInbound(Unpooled.copiedBuffer("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /nope HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n",
                StandardCharsets.US_ASCII));
        channel.runPendingTasks();
        String all = responses(channel);
        int first = all.indexOf("HTTP/1.1 200");
        int second = all.indexOf("HTTP/1.1 404");
        int third = all.indexOf("HTTP/1.1 200", second);
        assertTrue(first >= 0 && first < second && second < third, all);
        assertEquals(3, all.split("HTTP/1.1 ").length - 1, all);
    }

    @Test
    void oversizedBodyIsAnswered413InItsTurn() {
        EmbeddedChannel channel = connection();
        channel.writeInbound(Unpooled.copiedBuffer("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
                + "POST /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + "x".repeat(5000),
                StandardCharsets.US_ASCII));
        channel.runPendingTasks();
        String all = responses(channel);
        int ok = all.indexOf("HTTP/1.1 200");
        int tooLarge = all.indexOf("HTTP/1.1 413");
        assertTrue(ok >= 0 && ok < tooLarge, all);
        assertTrue(all.contains("X-Request-Id"), "the 413 is a framework response like any other: " + all);
        assertTrue(!channel.isOpen(), "the connection closes after the 413");
    }

    @Test
    void resultThatCannotBeWrittenIs500AndTheConnectionServesOn() {
        EmbeddedChannel channel = connection();
        channel.writeInbound(Unpooled.copiedBuffer("GET /opaque HTTP/1.1\r\nHost: x\r\n\r\n",
                StandardCharsets.US_ASCII));
        channel.runPendingTasks();
        assertTrue(responses(channel).startsWith("HTTP/1.1 500"));
        channel.writeInbound(Unpooled.copiedBuffer("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n",
                StandardCharsets.US_ASCII));
        channel.runPendingTasks();
        assertTrue(responses(channel).startsWith("HTTP/1.1 200"));
    }

    @Test
    void malformedUriIs400() {
        EmbeddedChannel channel = connection();
        channel.writeInbound(Unpooled.copiedBuffer("GET /hello?a=%zz HTTP/1.1\r\nHost: x\r\n\r\n",
                StandardCharsets.US_ASCII));
        channel.runPendingTasks();
        String response = responses(channel);
        assertTrue(response.startsWith("HTTP/1.1 400"), response);
        assertTrue(response.contains("malformed URI"), response);
    }
}
