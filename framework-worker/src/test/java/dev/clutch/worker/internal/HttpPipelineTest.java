package dev.clutch.worker.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clutch.core.testing.CapturedLog;
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

    private static Dispatcher.Shared shared() {
        return shared(List.of());
    }

    private static Dispatcher.Shared shared(List<dev.clutch.worker.api.Filter> filters) {
        Route hello = new Route("GET", "/hello", HelloHandler.class, false);
        Route helloPost = new Route("POST", "/hello", HelloHandler.class, false);
        Route opaque = new Route("GET", "/opaque", OpaqueHandler.class, false);
        Route nothing = new Route("GET", "/nothing", NullJsonHandler.class, false);
        Route interim = new Route("GET", "/interim", InterimStatusHandler.class, false);
        Route large = new Route("GET", "/large", LargeHandler.class, false);
        Route blockingHello = new Route("GET", "/blocking-hello", HelloHandler.class, true);
        Route unchanged = new Route("GET", "/unchanged", NotModifiedHandler.class, false);
        Route chunks = new Route("GET", "/chunks", ChunksHandler.class, false);
        Route constant = new Route("GET", "/constant", ConstantHandler.class, false);
        return new Dispatcher.Shared(new RouteTable(Set.of(hello, helloPost, opaque, nothing, interim, large,
                blockingHello, unchanged, chunks, constant)),
                Map.of(HelloHandler.class, HelloHandler::new, OpaqueHandler.class, OpaqueHandler::new,
                        NullJsonHandler.class, NullJsonHandler::new, InterimStatusHandler.class,
                        InterimStatusHandler::new, LargeHandler.class, LargeHandler::new,
                        NotModifiedHandler.class, NotModifiedHandler::new, ChunksHandler.class, ChunksHandler::new,
                        ConstantHandler.class, ConstantHandler::new),
                filters,
                Executors.newSingleThreadExecutor(),
                Duration.ofSeconds(5), new InFlight(), new Draining(), new ResponseWriter(false), new RequestIds(),
                new FatalErrors(message -> { }));
    }

    /** A real server of the pipeline on loopback, in {@code group}: its address. */
    private static java.net.SocketAddress serve(io.netty.channel.EventLoopGroup group, Dispatcher.Shared shared,
                                                long idleMillis) throws InterruptedException {
        return new io.netty.bootstrap.ServerBootstrap().group(group)
                .channel(io.netty.channel.socket.nio.NioServerSocketChannel.class)
                .childHandler(new HttpInitializer(shared, 1024, idleMillis))
                .bind(new java.net.InetSocketAddress("127.0.0.1", 0)).sync().channel().localAddress();
    }

    /** What a worker serving only {@code routes} shares, its blocking handlers run on {@code executor}. */
    private static Dispatcher.Shared sharedWith(Set<Route> routes,
            Map<Class<? extends dev.clutch.worker.api.Handler>, jakarta.inject.Provider<? extends
                    dev.clutch.worker.api.Handler>> handlers,
            java.util.concurrent.ExecutorService executor, Duration requestTimeout) {
        return new Dispatcher.Shared(new RouteTable(routes), handlers, List.of(), executor, requestTimeout,
                new InFlight(), new Draining(), new ResponseWriter(false), new RequestIds(),
                new FatalErrors(message -> { }));
    }

    /** A pool of one thread, taken until {@code release} opens (at most 30 s): what it is given waits. */
    private static java.util.concurrent.ExecutorService takenThread(java.util.concurrent.CountDownLatch release) {
        java.util.concurrent.ExecutorService oneThread = Executors.newSingleThreadExecutor();
        oneThread.execute(() -> {
            try {
                release.await(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return oneThread;
    }

    /** Sends {@code request} to a real server of {@code shared} on loopback; all it answered, until it closed. */
    private static String overSocket(Dispatcher.Shared shared, String request) throws Exception {
        io.netty.channel.EventLoopGroup group = new io.netty.channel.nio.NioEventLoopGroup(1);
        try (java.net.Socket client = new java.net.Socket()) {
            client.connect(serve(group, shared, 60_000));
            client.setSoTimeout(10_000);
            client.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            return new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        } finally {
            group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static EmbeddedChannel connection() {
        return new EmbeddedChannel(new HttpInitializer(shared(), 1024, 60_000));
    }

    static final class NullJsonHandler implements dev.clutch.worker.api.Handler {
        @Override
        public Object handle(dev.clutch.worker.api.Request request) {
            return dev.clutch.worker.api.Response.ok(null);
        }
    }

    /** A 1xx is not a status a handler may end a request with. */
    static final class InterimStatusHandler implements dev.clutch.worker.api.Handler {
        @Override
        public Object handle(dev.clutch.worker.api.Request request) {
            throw new dev.clutch.worker.api.HttpException(150, "not a final status");
        }
    }

    /** 8 MiB: more than a client's socket holds. */
    static final class LargeHandler implements dev.clutch.worker.api.Handler {
        @Override
        public Object handle(dev.clutch.worker.api.Request request) {
            return dev.clutch.worker.api.Response.bytes(200, "application/octet-stream", new byte[8 << 20]);
        }
    }

    /** A 304 given a body, and its length, by mistake. */
    static final class NotModifiedHandler implements dev.clutch.worker.api.Handler {
        @Override
        public Object handle(dev.clutch.worker.api.Request request) {
            return dev.clutch.worker.api.Response.text(304, "stale").header("etag", "\"v1\"")
                    .header("Content-Length", "5");
        }
    }

    static final class ChunksHandler implements dev.clutch.worker.api.Handler {
        @Override
        public Object handle(dev.clutch.worker.api.Request request) {
            // Framing headers copied from elsewhere: the framework frames the body itself.
            return dev.clutch.worker.api.Response.chunked(200, "text/plain", List.of("one ", "two ", "three"))
                    .header("content-length", "99").header("Transfer-Encoding", "gzip");
        }
    }

    /** Returns the same response every time, as a handler keeping a constant would. */
    static final class ConstantHandler implements dev.clutch.worker.api.Handler {
        static final dev.clutch.worker.api.Response ACCEPTED = dev.clutch.worker.api.Response.status(202);

        @Override
        public Object handle(dev.clutch.worker.api.Request request) {
            return ACCEPTED;
        }
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

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n";
    }

    /** Sends the bytes of {@code request} and returns everything the connection wrote back. */
    private static String exchange(EmbeddedChannel channel, String request) {
        channel.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.US_ASCII));
        channel.runPendingTasks();
        return responses(channel);
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
            String response = exchange(channel, get("/hello"));
            assertTrue(response.startsWith("HTTP/1.1 200 OK"), "request " + i + ": " + response);
            assertTrue(response.matches("(?s).*\r\ndate: [A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} "
                    + "\\d{2}:\\d{2}:\\d{2} GMT\r\n.*"), "request " + i + ": " + response);
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() {
        String all = exchange(connection(), get("/hello") + get("/nope") + get("/hello"));
        int first = all.indexOf("HTTP/1.1 200");
        int second = all.indexOf("HTTP/1.1 404");
        int third = all.indexOf("HTTP/1.1 200", second);
        assertTrue(first >= 0 && first < second && second < third, all);
        assertEquals(3, all.split("HTTP/1.1 ").length - 1, all);
    }

    @Test
    void requestsPipelinedPastWhatTheCodecHoldsCloseTheConnectionAfterTheResponseInProgress() {
        EmbeddedChannel channel = connection();
        CapturedLog logged = new CapturedLog(Dispatcher.class);
        // A blocking route keeps each request in flight while the rest are decoded: far more than the codec's 128.
        channel.writeInbound(Unpooled.copiedBuffer(get("/blocking-hello").repeat(1000), StandardCharsets.US_ASCII));
        StringBuilder all = new StringBuilder();
        await("the request in progress is answered, then the connection closes")
                .atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(() -> {
                    channel.runPendingTasks();
                    all.append(responses(channel));
                    return !channel.isOpen();
                });
        int answered = all.toString().split("HTTP/1.1 ").length - 1;
        assertTrue(answered >= 1 && answered < 1000, answered + " answered");
        String last = all.substring(all.lastIndexOf("HTTP/1.1 "));
        assertTrue(last.toLowerCase(java.util.Locale.ROOT).contains("connection: close\r\n"),
                "the last response says it is the last: " + last);
        assertEquals(answered, all.toString().split("HTTP/1.1 200 OK").length - 1, "every one of them 200");
        logged.close();
        // The client's doing, not the worker's: no ERROR with a stack trace for every such client.
        assertEquals(List.of(), logged.events().stream().filter(e -> e.getLevel().isGreaterOrEqual(
                ch.qos.logback.classic.Level.ERROR)).map(Object::toString).toList());
        assertTrue(logged.contains("maxPipelineDepth exceeded"), logged.events().toString());
    }

    /** Counts the reads asked for that reach the socket. */
    static final class ReadCounter extends io.netty.channel.ChannelOutboundHandlerAdapter {
        int reads;

        @Override
        public void read(io.netty.channel.ChannelHandlerContext ctx) {
            reads++;
            ctx.read();
        }
    }

    @Test
    void bodiesPipelinedBehindASlowRequestStopTheReadingOnceTheirBytesReachTheBodyLimit() throws Exception {
        Route held = new Route("GET", "/held", HelloHandler.class, true);
        Route post = new Route("POST", "/hello", HelloHandler.class, false);
        // The one handler thread is taken: the blocking request stays in flight until released.
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.ExecutorService oneThread = takenThread(release);
        Dispatcher.Shared shared = sharedWith(Set.of(held, post), Map.of(HelloHandler.class, HelloHandler::new),
                oneThread, Duration.ofSeconds(30));
        ReadCounter socket = new ReadCounter();
        EmbeddedChannel channel = new EmbeddedChannel(socket, new HttpInitializer(shared, 1024, 60_000));
        try {
            String postHead = "POST /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 600\r\n\r\n";
            String body = "x".repeat(600);
            // 1200 bytes of bodies waiting behind the held request: past the 1024 of the body limit.
            channel.writeInbound(Unpooled.copiedBuffer(get("/held") + (postHead + body).repeat(2),
                    StandardCharsets.US_ASCII));
            assertFalse(channel.config().isAutoRead(), "reading stops");
            int readsBefore = socket.reads;

            // Half a request more, in what the socket had: Netty's aggregator asks for the rest of its body.
            channel.writeInbound(Unpooled.copiedBuffer(postHead + body.substring(300), StandardCharsets.US_ASCII));
            channel.runPendingTasks();
            assertEquals(readsBefore, socket.reads, "a read reached the socket while the requests waiting are "
                    + "as many bytes as the worker holds");

            release.countDown();
            channel.writeInbound(Unpooled.copiedBuffer(body.substring(300), StandardCharsets.US_ASCII));
            StringBuilder all = new StringBuilder();
            await("every request is answered, in order").atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(10)).until(() -> {
                        channel.runPendingTasks();
                        all.append(responses(channel));
                        return all.toString().split("HTTP/1.1 200 OK").length - 1 == 4;
                    });
            assertTrue(channel.config().isAutoRead(), "reading goes on once the requests waiting are answered");
        } finally {
            release.countDown();
            oneThread.shutdownNow();
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void aRequestWithBothTransferEncodingAndContentLengthIs400AndNothingPipelinedAfterItRuns() {
        Route counted = new Route("POST", "/counted", CountingHandler.class, false);
        Dispatcher.Shared shared = sharedWith(Set.of(counted), Map.of(CountingHandler.class, CountingHandler::new),
                Executors.newSingleThreadExecutor(), Duration.ofSeconds(5));
        EmbeddedChannel channel = new EmbeddedChannel(new HttpInitializer(shared, 1024, 60_000));
        int runsBefore = CountingHandler.RUNS.get();
        // The shape of a request-smuggling attempt: where its body ends is ambiguous, so nothing after it can be
        // trusted to be the requests the client meant.
        String all = exchange(channel, "POST /counted HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                + "Content-Length: 5\r\n\r\n0\r\n\r\n"
                + "POST /counted HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n".repeat(3));
        channel.runPendingTasks();
        assertTrue(all.matches("(?s)HTTP/1\\.[01] 400 .*malformed HTTP request: [^\"]*Content-Length.*"), all);
        assertEquals(1, all.split("HTTP/1\\.[01] \\d{3} ").length - 1, all);
        assertFalse(channel.isOpen(), all);
        assertEquals(runsBefore, CountingHandler.RUNS.get(), "no request ran: " + all);
    }

    @Test
    void oversizedBodyIsAnswered413InItsTurn() {
        EmbeddedChannel channel = connection();
        String all = exchange(channel, get("/hello") + "POST /hello HTTP/1.1\r\nHost: x\r\nX-Request-Id: big-1\r\n"
                + "Content-Length: 5000\r\n\r\n" + "x".repeat(5000));
        int ok = all.indexOf("HTTP/1.1 200");
        int tooLarge = all.indexOf("HTTP/1.1 413");
        assertTrue(ok >= 0 && ok < tooLarge, all);
        assertTrue(all.contains("X-Request-Id: big-1"), "the 413 is a framework response like any other: " + all);
        assertTrue(all.contains("larger than clutch.http.maxBodyBytes (1024 bytes)"), all);
        assertTrue(!channel.isOpen(), "the connection closes after the 413");
    }

    @Test
    void aClientStillSendingItsOversizedBodyReads413() throws Exception {
        io.netty.channel.EventLoopGroup group = new io.netty.channel.nio.NioEventLoopGroup(1);
        try (java.net.Socket client = new java.net.Socket()) {
            java.net.SocketAddress server = serve(group, shared(), 60_000);
            client.connect(server);
            client.setSoTimeout(10_000);
            java.io.OutputStream out = client.getOutputStream();
            int bodyBytes = 32 << 20;
            out.write(("POST /hello HTTP/1.1\r\nHost: x\r\nContent-Length: " + bodyBytes + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            // All of it, as a client that does not read before it has sent its request: more than the sockets'
            // buffers hold, so the worker has answered and ended its side long before the last byte.
            byte[] slice = new byte[64 * 1024];
            for (int sent = 0; sent < bodyBytes; sent += slice.length) {
                out.write(slice);
            }
            String response = new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(response.startsWith("HTTP/1.1 413"), response);
        } finally {
            group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Counts its runs: a request answered 503 before its turn must not be one of them. */
    static final class CountingHandler implements dev.clutch.worker.api.Handler {
        static final java.util.concurrent.atomic.AtomicInteger RUNS = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public Object handle(dev.clutch.worker.api.Request request) {
            return "run " + RUNS.incrementAndGet();
        }
    }

    @Test
    void aBlockingRequestThatTimesOutWhileQueuedGets503AndItsHandlerNeverRuns() throws Exception {
        Route counted = new Route("POST", "/counted", CountingHandler.class, true);
        // The pool of JDK 17, one thread, taken: the request waits in its queue past its timeout.
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.ExecutorService oneThread = takenThread(release);
        try {
            String response = overSocket(sharedWith(Set.of(counted), Map.of(CountingHandler.class,
                    CountingHandler::new), oneThread, Duration.ofMillis(200)), "POST /counted HTTP/1.1\r\nHost: x\r\n"
                    + "Content-Length: 0\r\nConnection: close\r\n\r\n");
            assertTrue(response.startsWith("HTTP/1.1 503"), response);
            assertTrue(response.toLowerCase(java.util.Locale.ROOT).contains("retry-after: 1\r\n"), response);
            assertTrue(response.contains("waited over 200 ms (clutch.http.requestTimeout) for a handler thread and "
                    + "was not started; retry"), response);

            release.countDown();
            oneThread.shutdown();
            assertTrue(oneThread.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(0, CountingHandler.RUNS.get(), "the client has its 503 and may retry: the handler ran anyway");
        } finally {
            release.countDown();
            oneThread.shutdownNow();
        }
    }

    @Test
    void aBlockingRequestAWorkerHasNoRoomForIs503WithRetryAfter() {
        Route counted = new Route("POST", "/counted", CountingHandler.class, true);
        // What a worker at clutch.worker.maxBlockingHandlers does: it refuses the request.
        java.util.concurrent.ExecutorService full = Executors.newSingleThreadExecutor();
        full.shutdown();
        Dispatcher.Shared shared = sharedWith(Set.of(counted), Map.of(CountingHandler.class, CountingHandler::new),
                full, Duration.ofSeconds(5));
        String response = exchange(new EmbeddedChannel(new HttpInitializer(shared, 1024, 60_000)),
                "POST /counted HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 503"), response);
        assertTrue(response.toLowerCase(java.util.Locale.ROOT).contains("retry-after: 1\r\n"), response);
        assertTrue(response.contains("at its limit of concurrent requests; retry"), response);
    }

    /** Runs until {@link #RELEASE} opens. */
    static final class HeldHandler implements dev.clutch.worker.api.Handler {
        static final java.util.concurrent.CountDownLatch RELEASE = new java.util.concurrent.CountDownLatch(1);

        @Override
        public Object handle(dev.clutch.worker.api.Request request) throws InterruptedException {
            RELEASE.await(30, java.util.concurrent.TimeUnit.SECONDS);
            return "done";
        }
    }

    @Test
    void aBlockingRequestThatTimesOutWhileItsHandlerRunsGets503SayingItMayYetTakeEffect() throws Exception {
        Route held = new Route("POST", "/held", HeldHandler.class, true);
        java.util.concurrent.ExecutorService threads = Executors.newCachedThreadPool();
        try {
            String response = overSocket(sharedWith(Set.of(held), Map.of(HeldHandler.class, HeldHandler::new),
                    threads, Duration.ofMillis(200)), "POST /held HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
                    + "Connection: close\r\n\r\n");
            assertTrue(response.startsWith("HTTP/1.1 503"), response);
            assertFalse(response.toLowerCase(java.util.Locale.ROOT).contains("retry-after"),
                    "a retry could do the work twice: " + response);
            assertTrue(response.contains("took over 200 ms (clutch.http.requestTimeout); its handler is still "
                    + "running and may yet take effect"), response);
        } finally {
            HeldHandler.RELEASE.countDown();
            threads.shutdownNow();
        }
    }

    @Test
    void aConnectionOpenedDuringTheDrainIsServedOnceOrClosedWhenIdle() throws Exception {
        io.netty.channel.EventLoopGroup group = new io.netty.channel.nio.NioEventLoopGroup(1);
        Dispatcher.Shared shared = shared();
        try (java.net.Socket idle = new java.net.Socket(); java.net.Socket asking = new java.net.Socket()) {
            // An idle timeout far beyond the test's bounds: only the drain can close the idle connection in time.
            java.net.SocketAddress server = serve(group, shared, 600_000);
            shared.draining().start();
            idle.connect(server);
            asking.connect(server);
            asking.getOutputStream().write(get("/hello").getBytes(StandardCharsets.US_ASCII));

            asking.setSoTimeout(10_000);
            String answer = new String(asking.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
            assertTrue(answer.toLowerCase(java.util.Locale.ROOT).contains("connection: close"), answer);
            idle.setSoTimeout(10_000);
            assertEquals(-1, idle.getInputStream().read(), "the idle connection is closed, not left to the drain's end");
            await().atMost(Duration.ofSeconds(5)).until(() -> shared.draining().open() == 0);
        } finally {
            group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void aConnectionWithOnlyALineEndAfterItsLastRequestIsIdleForTheDrain() {
        Dispatcher.Shared shared = shared();
        EmbeddedChannel channel = new EmbeddedChannel(new HttpInitializer(shared, 1024, 600_000));
        // Some clients end a body with an extra line end, which the codec skips: no request is arriving.
        String response = exchange(channel, "POST /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi");
        assertTrue(response.startsWith("HTTP/1.1 200"), response);
        channel.writeInbound(Unpooled.copiedBuffer("\r\n", StandardCharsets.US_ASCII));

        shared.draining().start();
        channel.runPendingTasks();
        assertFalse(channel.isOpen(), "the drain closed the idle connection at once");
    }

    @Test
    void aTargetThatIsNoPathIs400AndAnAbsoluteUrlIsServed() {
        for (String target : List.of("?a=1", "hello", "*")) {
            String response = exchange(connection(), get(target));
            assertTrue(response.startsWith("HTTP/1.1 400"), target + ": " + response);
            assertTrue(response.contains("must be a path starting with /"), target + ": " + response);
        }
        assertTrue(exchange(connection(), get("http://example.com:8080/hello")).startsWith("HTTP/1.1 200"));
        assertTrue(exchange(connection(), get("HTTPS://example.com/hello?x=1")).startsWith("HTTP/1.1 200"));
        assertTrue(exchange(connection(), get("http://example.com")).startsWith("HTTP/1.1 404"));
    }

    @Test
    void aRequestLineOverTheLimitIs414AndHeadersOverTheirsAre431() {
        String longLine = exchange(connection(), get("/" + "a".repeat(HttpInitializer.MAX_REQUEST_LINE_BYTES)));
        assertTrue(longLine.startsWith("HTTP/1.1 414"), longLine);
        String manyHeaders = exchange(connection(), "GET /hello HTTP/1.1\r\nHost: x\r\n"
                + ("X-Filler: " + "b".repeat(1000) + "\r\n").repeat(HttpInitializer.MAX_HEADER_BYTES / 1000 + 1)
                + "\r\n");
        assertTrue(manyHeaders.startsWith("HTTP/1.1 431"), manyHeaders);
        // Long, but within the limit: a query string of a few kilobytes is served.
        assertTrue(exchange(connection(), get("/hello?q=" + "c".repeat(6000))).startsWith("HTTP/1.1 200"));
    }

    @Test
    void a304HasNeitherBodyNorLength() {
        EmbeddedChannel channel = connection();
        String response = exchange(channel, get("/unchanged"));
        assertTrue(response.startsWith("HTTP/1.1 304"), response);
        assertTrue(!response.toLowerCase(java.util.Locale.ROOT).contains("content-length"), response);
        assertTrue(response.endsWith("\r\n\r\n"), response);
        assertTrue(exchange(channel, get("/hello")).startsWith("HTTP/1.1 200"), "the connection serves on");
    }

    @Test
    void anHttp10ClientGetsAChunkedResponseAsOneBody() {
        String response = exchange(connection(), "GET /chunks HTTP/1.0\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 200"), response);
        String lower = response.toLowerCase(java.util.Locale.ROOT);
        assertTrue(!lower.contains("transfer-encoding"), response);
        assertTrue(lower.contains("content-length: 13"), response);
        assertTrue(response.endsWith("\r\n\r\none two three"), response);
        String chunked = exchange(connection(), get("/chunks"));
        String chunkedLower = chunked.toLowerCase(java.util.Locale.ROOT);
        assertTrue(chunkedLower.contains("transfer-encoding: chunked"), chunked);
        assertTrue(!chunkedLower.contains("content-length") && !chunkedLower.contains("gzip"),
                "only the framework frames the body: " + chunked);
    }

    @Test
    void resultThatCannotBeWrittenIs500AndTheConnectionServesOn() {
        EmbeddedChannel channel = connection();
        assertTrue(exchange(channel, get("/opaque")).startsWith("HTTP/1.1 500"));
        assertTrue(exchange(channel, get("/hello")).startsWith("HTTP/1.1 200"));
    }

    @Test
    void filtersSeeThe500OfAResultThatCannotBeWrittenAndTheirHeadersGoWithIt() {
        List<Integer> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        dev.clutch.worker.api.Filter stamp = new dev.clutch.worker.api.Filter() {
            @Override
            public void after(dev.clutch.worker.api.Request request, dev.clutch.worker.api.Response response) {
                seen.add(response.status());
                response.header("X-Stamped", "yes");
            }
        };
        String response = exchange(new EmbeddedChannel(new HttpInitializer(shared(List.of(stamp)), 1024, 60_000)),
                get("/opaque"));
        assertTrue(response.startsWith("HTTP/1.1 500"), response);
        assertTrue(response.toLowerCase(java.util.Locale.ROOT).contains("x-stamped: yes"), response);
        assertEquals(List.of(500), seen);
    }

    @Test
    void aResponseReturnedAgainDoesNotKeepTheHeadersFiltersGaveItForAnotherRequest() {
        // A CORS filter of the kind that answers only some origins.
        dev.clutch.worker.api.Filter cors = new dev.clutch.worker.api.Filter() {
            @Override
            public void after(dev.clutch.worker.api.Request request, dev.clutch.worker.api.Response response) {
                request.header("origin").ifPresent(origin -> response.header("Access-Control-Allow-Origin", origin));
            }
        };
        EmbeddedChannel channel = new EmbeddedChannel(new HttpInitializer(shared(List.of(cors)), 1024, 60_000));
        String first = exchange(channel, "GET /constant HTTP/1.1\r\nHost: x\r\nOrigin: https://a.example\r\n\r\n");
        assertTrue(first.contains("access-control-allow-origin: https://a.example"), first);

        String second = exchange(channel, get("/constant"));
        assertTrue(second.startsWith("HTTP/1.1 202"), second);
        assertFalse(second.toLowerCase(java.util.Locale.ROOT).contains("access-control-allow-origin"), second);
        assertTrue(ConstantHandler.ACCEPTED.headers().isEmpty(), "the handler's constant is as it was");
        assertThrows(UnsupportedOperationException.class,
                () -> ConstantHandler.ACCEPTED.headers().put("x-a", "b"), "headers are set through header()");
    }

    @Test
    void nullAsJsonIsWrittenAsJsonNull() {
        String response = exchange(connection(), get("/nothing"));
        assertTrue(response.startsWith("HTTP/1.1 200"), response);
        assertTrue(response.endsWith("\r\n\r\nnull"), response);
    }

    @Test
    void errorWithAStatusThatIsNotAnErrorIs500() {
        String response = exchange(connection(), get("/interim"));
        assertTrue(response.startsWith("HTTP/1.1 500"), response);
    }

    @Test
    void expectationsThatFailAreAnsweredInTheirTurnLikeAnyOtherResponse() {
        String all = exchange(connection(), get("/hello")
                + "POST /hello HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nContent-Length: 2\r\n\r\nhi"
                + "POST /hello HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n");
        int ok = all.indexOf("HTTP/1.1 200");
        int unknown = all.indexOf("HTTP/1.1 417");
        int tooLarge = all.indexOf("HTTP/1.1 413");
        assertTrue(ok >= 0 && ok < unknown && unknown < tooLarge, all);
        assertEquals(3, all.split("X-Request-Id").length - 1, "every one a framework response: " + all);
        assertTrue(!all.contains("100 Continue"), all);
    }

    @Test
    void expectContinueWithinTheLimitIsAnsweredContinueThenServed() {
        EmbeddedChannel channel = connection();
        assertTrue(exchange(channel, "POST /hello HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                + "Content-Length: 2\r\n\r\n").startsWith("HTTP/1.1 100 Continue"));
        assertTrue(exchange(channel, "hi").startsWith("HTTP/1.1 200"));
    }

    @Test
    void expectContinuePipelinedBehindARequestInProgressGetsNo100OutOfTurn() {
        EmbeddedChannel channel = connection();
        channel.writeInbound(Unpooled.copiedBuffer(get("/blocking-hello") + "POST /hello HTTP/1.1\r\nHost: x\r\n"
                + "Expect: 100-continue\r\nContent-Length: 2\r\n\r\n", StandardCharsets.US_ASCII));
        StringBuilder first = new StringBuilder();
        await("the request in progress is answered").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(10)).until(() -> {
                    channel.runPendingTasks();
                    first.append(responses(channel));
                    return first.indexOf("hello") >= 0;
                });
        assertTrue(first.toString().startsWith("HTTP/1.1 200"), "a 100 ahead of the first response: " + first);
        assertTrue(first.indexOf("100 Continue") < 0, first.toString());

        // The client gives up waiting for its 100 and sends the body: served in its turn.
        assertTrue(exchange(channel, "hi").startsWith("HTTP/1.1 200"));
    }

    @Test
    void clientThatStopsReadingItsResponseIsClosedAfterTheIdleTimeout() throws Exception {
        Dispatcher.Shared shared = shared();
        io.netty.channel.EventLoopGroup group = new io.netty.channel.nio.NioEventLoopGroup(1);
        try (java.net.Socket client = new java.net.Socket()) {
            java.net.SocketAddress server = serve(group, shared, 300);
            client.setReceiveBufferSize(4096);
            client.connect(server);
            client.getOutputStream().write(get("/large").getBytes(StandardCharsets.US_ASCII));
            await("the response is being written").atMost(Duration.ofSeconds(10))
                    .until(() -> shared.inFlight().count() == 1);

            // The client reads nothing: once the response has not moved for the idle time, the connection goes.
            await("the stuck response is given up").atMost(Duration.ofSeconds(10))
                    .until(() -> shared.inFlight().count() == 0);
            client.setSoTimeout(10_000);
            byte[] received = client.getInputStream().readAllBytes();
            assertTrue(received.length < 8 << 20, "closed before the whole body: " + received.length);
        } finally {
            group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void requestDrippingInByteByByteIsAnswered408AndCutOffAfterTheIdleTimeout() throws Exception {
        io.netty.channel.EventLoopGroup group = new io.netty.channel.nio.NioEventLoopGroup(1);
        try (CapturedLog logged = new CapturedLog(RequestArrival.class);
             java.net.Socket client = new java.net.Socket()) {
            java.net.SocketAddress server = serve(group, shared(), 300);
            client.connect(server);
            client.setSoTimeout(50);
            java.io.OutputStream out = client.getOutputStream();
            out.write("GET /hello HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
            java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream();
            // A header byte every 50 ms, until an answer comes: never idle for 300 ms, but never done either.
            await("the server gives up on the request").atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(50)).until(() -> {
                        try {
                            if (received.size() == 0) {
                                out.write('X');
                            }
                            byte[] buffer = new byte[4096];
                            int n = client.getInputStream().read(buffer);
                            if (n > 0) {
                                received.write(buffer, 0, n);
                            }
                            return n < 0;
                        } catch (java.net.SocketTimeoutException stillOpen) {
                            return false;
                        } catch (java.io.IOException closed) {
                            return true;
                        }
                    });
            String response = received.toString(StandardCharsets.US_ASCII);
            assertTrue(response.startsWith("HTTP/1.1 408"), response);
            assertTrue(response.contains("did not arrive whole within 300 ms of its first bytes "
                    + "(clutch.http.idleTimeout)"), response);
            // The arrival deadline ended it, not the idle timeout (a stalled test thread could let that fire).
            assertTrue(logged.contains("its request did not arrive whole within 300 ms"), logged.events().toString());
        } finally {
            group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void malformedUriIs400() {
        String response = exchange(connection(), get("/hello?a=%zz"));
        assertTrue(response.startsWith("HTTP/1.1 400"), response);
        assertTrue(response.contains("malformed URI"), response);
    }
}
