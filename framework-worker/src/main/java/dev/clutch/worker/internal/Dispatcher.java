package dev.clutch.worker.internal;

import dev.clutch.core.logging.LogThrottle;
import dev.clutch.worker.api.Filter;
import dev.clutch.worker.api.Handler;
import dev.clutch.worker.api.HttpException;
import dev.clutch.worker.api.Request;
import dev.clutch.worker.api.Response;
import dev.clutch.worker.api.Route;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import jakarta.inject.Provider;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one HTTP connection, one request at a time: requests that arrive while one is in flight (pipelining) wait
 * in a small queue, and reading pauses while it is full, so responses go out in order and memory stays bounded.
 * Finds the route, runs filters and the handler (on the executor for blocking routes, on the event loop for the
 * others), and turns whatever happens into exactly one response.
 */
final class Dispatcher extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    /** Pipelined requests held per connection before the worker stops reading it. */
    private static final int MAX_WAITING_REQUESTS = 16;
    /** How long a connection closed on a client still sending goes on reading for its client to see the answer. */
    private static final long LINGER_MILLIS = 2000;
    /** The most of the codec's reason a 400 quotes. */
    private static final int MAX_REASON_CHARS = 200;
    /** Clients that send what the codec refuses can do so by the thousand: one line a second. */
    private static final LogThrottle refusedLog = new LogThrottle(Duration.ofSeconds(1));

    /** What every connection of this worker shares. */
    record Shared(RouteTable routes, Map<Class<? extends Handler>, Provider<? extends Handler>> handlers,
                  List<Filter> filters, ExecutorService executor, Duration requestTimeout, InFlight inFlight,
                  Draining draining, ResponseWriter writer, RequestIds ids, FatalErrors fatalErrors) {
    }

    private final Shared shared;
    private final ReadGate gate;
    /**
     * {@code clutch.http.maxBodyBytes}; also the bytes of bodies waiting past which the connection stops being read:
     * with bodies, a few requests are as much as a worker wants to hold per connection.
     */
    private final long maxBodyBytes;
    /** {@link FullHttpRequest}s and {@link OversizedRequest}s, in the order they arrived. */
    private final ArrayDeque<Object> waiting = new ArrayDeque<>();
    private long waitingBytes;
    private boolean busy;
    /** The exchange whose response is being written, until the write completes. */
    private Exchange writing;
    private String client;
    /** The codec refused what the client sent: the response in progress is the connection's last. */
    private boolean closing;
    /** The client sent all it will (a half-close): once what it asked for is answered, the connection closes. */
    private boolean inputShut;

    Dispatcher(Shared shared, ReadGate gate, long maxBodyBytes) {
        this.shared = shared;
        this.gate = gate;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest) && !(msg instanceof OversizedRequest)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (busy) {
            waiting.add(msg);
            waitingBytes += bodyBytes(msg);
            if (waiting.size() >= MAX_WAITING_REQUESTS || waitingBytes >= maxBodyBytes) {
                gate.shut(ctx.channel());
            }
            return;
        }
        serve(ctx, msg);
    }

    /** Serves one request; a {@link FullHttpRequest} is released here, its body copied first. */
    private void serve(ChannelHandlerContext ctx, Object request) {
        busy = true;
        try {
            if (request instanceof FullHttpRequest full) {
                dispatch(ctx, full);
            } else {
                OversizedRequest oversized = (OversizedRequest) request;
                Exchange exchange = begin(ctx, oversized.method(), oversized.uri(), false,
                        oversized.clientRequestId());
                exchange.lingerOnClose = true;
                exchange.finish(error(413, "the body is larger than clutch.http.maxBodyBytes (" + maxBodyBytes
                        + " bytes)", exchange.requestId));
            }
        } finally {
            ReferenceCountUtil.release(request);
        }
    }

    /** The response to the current request is written: on to the next one, if any. */
    private void next(ChannelHandlerContext ctx) {
        busy = false;
        Object queued = waiting.poll();
        if (queued != null) {
            waitingBytes -= bodyBytes(queued);
            serve(ctx, queued);
        } else if (inputShut || closing) {
            ctx.close();
        } else if (gate.isShut()) {
            gate.open(ctx.channel());
        }
    }

    private static long bodyBytes(Object request) {
        return request instanceof FullHttpRequest full ? full.content().readableBytes() : 0;
    }

    /** Releases the requests waiting: none of them will be answered. */
    private void dropWaiting() {
        waiting.forEach(ReferenceCountUtil::release);
        waiting.clear();
        waitingBytes = 0;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        dropWaiting();
        ctx.fireChannelInactive();
    }

    /**
     * Closes a connection whose client may still be sending: closing a socket with unread input resets it, and the
     * reset can destroy the response before the client reads it. So the output is shut and what still comes is
     * read and dropped (the codec and the aggregator drop it), until the client closes or {@link #LINGER_MILLIS}.
     */
    private void closeOnceTheClientHasRead(ChannelHandlerContext ctx) {
        busy = false;
        if (!(ctx.channel() instanceof DuplexChannel duplex) || !duplex.isActive() || inputShut) {
            ctx.close();
            return;
        }
        closing = true;
        dropWaiting();
        duplex.shutdownOutput().addListener(shut -> {
            if (!shut.isSuccess()) {
                ctx.close();
            }
        });
        ScheduledFuture<?> deadline = ctx.executor().schedule(() -> ctx.close(), LINGER_MILLIS,
                TimeUnit.MILLISECONDS);
        duplex.closeFuture().addListener(closed -> deadline.cancel(false));
        gate.open(duplex);
    }

    /** The client's address as text, made once per connection: the requests of a kept-alive one share it. */
    private String client(ChannelHandlerContext ctx) {
        if (client == null) {
            client = hostAndPort(ctx.channel().remoteAddress());
        }
        return client;
    }

    /** {@code host:port}, an IPv6 host in brackets; an address's own toString starts with a slash. */
    static String hostAndPort(java.net.SocketAddress address) {
        if (address instanceof java.net.InetSocketAddress inet && inet.getAddress() != null) {
            String host = inet.getAddress().getHostAddress();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }

    private Exchange begin(ChannelHandlerContext ctx, String method, String uri, boolean keepAlive,
                           String clientRequestId) {
        shared.inFlight().begin();
        Draining.busy(ctx.channel(), true);
        return new Exchange(ctx, method, uri, keepAlive, shared.ids().of(clientRequestId), System.nanoTime());
    }

    private void dispatch(ChannelHandlerContext ctx, FullHttpRequest request) {
        Exchange exchange = begin(ctx, request.method().name(), request.uri(), HttpUtil.isKeepAlive(request),
                request.headers().get("x-request-id"));
        exchange.http10 = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
        try {
            route(ctx, request, exchange);
        } catch (RuntimeException | Error e) {
            // A failure of the framework itself still gets its request an answer.
            log.error("{} {} could not be dispatched (request {}): {}", request.method(), request.uri(),
                    exchange.requestId, e.toString(), e);
            exchange.finish(error(500, "internal error; quote request id " + exchange.requestId,
                    exchange.requestId));
            reportIfFatal(e);
        }
    }

    private void route(ChannelHandlerContext ctx, FullHttpRequest request, Exchange exchange) {
        String requestId = exchange.requestId;
        if (!request.decoderResult().isSuccess()) {
            exchange.keepAlive = false;
            exchange.lingerOnClose = true;
            exchange.finish(malformed(request.decoderResult().cause(), requestId));
            return;
        }
        if (BodyAggregator.unsupportedExpectation(request)) {
            exchange.finish(error(417, "Expect: " + request.headers().get(HttpHeaderNames.EXPECT)
                    + " is not supported", requestId));
            return;
        }
        String target = RequestTarget.originForm(request.uri());
        if (target == null) {
            exchange.keepAlive = false;
            exchange.finish(error(400, "the request target must be a path starting with / (or an absolute URL)",
                    requestId));
            return;
        }
        String path;
        Map<String, List<String>> query;
        RouteTable.Match match;
        try {
            QueryStringDecoder uri = new QueryStringDecoder(target);
            path = uri.path();
            query = uri.parameters();
            match = shared.routes().match(request.method().name(), uri.rawPath());
        } catch (IllegalArgumentException e) {
            exchange.keepAlive = false;
            exchange.finish(error(400, "malformed URI: " + e.getMessage(), requestId));
            return;
        }
        if (match instanceof RouteTable.NotFound) {
            exchange.finish(error(404, "no route for " + request.method() + " " + path, requestId));
        } else if (match instanceof RouteTable.MethodNotAllowed notAllowed) {
            exchange.finish(error(405, request.method() + " is not allowed on " + path, requestId,
                    Map.of("allow", String.join(", ", notAllowed.allowed()))));
        } else {
            RouteTable.Found found = (RouteTable.Found) match;
            Request view = new HttpRequestView(request.method().name(), path, found.params(), query,
                    request.headers().copy(), ByteBufUtil.getBytes(request.content()), requestId,
                    client(ctx));
            run(exchange, found.route(), view);
        }
    }

    private void run(Exchange exchange, Route route, Request request) {
        if (!route.blocking()) {
            exchange.finish(invoke(route, request));
            return;
        }
        exchange.armTimeout(shared.requestTimeout());
        try {
            shared.executor().execute(() -> {
                if (!exchange.handlerClaimed.compareAndSet(false, true)) {
                    // Timed out while it waited for a thread: the client has its 503 and may retry, so the handler
                    // must not run (a POST would be done twice).
                    return;
                }
                PreparedResponse response = invoke(route, request);
                exchange.ctx.executor().execute(() -> exchange.finish(response));
            });
        } catch (RejectedExecutionException e) {
            exchange.finish(error(503, "this worker is at its limit of concurrent requests; retry",
                    request.requestId(), Map.of("retry-after", "1")));
        }
    }

    /**
     * Filters, handler, filters, then the response made ready for the wire: never throws. Every filter whose
     * {@code before} ran sees the response in {@code after}, an error response too (timing, metrics, CORS).
     */
    private PreparedResponse invoke(Route route, Request request) {
        List<Filter> ran = new ArrayList<>();
        Response response;
        PreparedResponse.Body body;
        // Probes must not meet the application's authentication, nor wait on a filter's remote call.
        List<Filter> filters = route.handler() == HealthHandler.class ? List.of() : shared.filters();
        try {
            for (Filter filter : filters) {
                filter.before(request);
                ran.add(filter);
            }
            Object result = shared.handlers().get(route.handler()).get().handle(request);
            response = toResponse(result);
            body = PreparedResponse.bodyOf(response);
        } catch (HttpException e) {
            response = errorResponse(e.status(), e.getMessage(), request.requestId(), Map.of());
            body = null;
        } catch (Exception | Error e) {
            response = failed(request, e);
            body = null;
        }
        Collections.reverse(ran);
        for (Filter filter : ran) {
            try {
                filter.after(request, response);
            } catch (Exception | Error e) {
                log.error("filter {} failed after {} {} (request {})", filter.getClass().getName(), request.method(),
                        request.path(), request.requestId(), e);
                reportIfFatal(e);
            }
        }
        try {
            // An error response's own body is Clutch's JSON, which cannot fail: made ready here.
            return body != null ? PreparedResponse.of(response, body) : PreparedResponse.of(response);
        } catch (RuntimeException | Error e) {
            // A header a filter added that is not legal HTTP: the filters have had their turn.
            return PreparedResponse.of(failed(request, e));
        }
    }

    private Response failed(Request request, Throwable e) {
        log.error("{} {} failed (request {}): {}", request.method(), request.path(), request.requestId(),
                e.toString(), e);
        reportIfFatal(e);
        return errorResponse(500, "internal error; quote request id " + request.requestId(), request.requestId(),
                Map.of());
    }

    private void reportIfFatal(Throwable e) {
        shared.fatalErrors().reportIfFatal(e);
    }

    private static Response toResponse(Object result) {
        if (result instanceof Response response) {
            // The filters' headers go on this request's copy only (Response.copy).
            return response.copy();
        }
        if (result == null) {
            return Response.status(204);
        }
        if (result instanceof String text) {
            return Response.text(200, text);
        }
        return Response.ok(result);
    }

    static PreparedResponse error(int status, String message, String requestId) {
        return error(status, message, requestId, Map.of());
    }

    /** What the codec could not read: its limits get their own statuses (RFC 9112, 3; RFC 6585, 5). */
    private static PreparedResponse malformed(Throwable cause, String requestId) {
        if (cause instanceof TooLongHttpLineException) {
            return error(414, "the request line is longer than " + HttpInitializer.MAX_REQUEST_LINE_BYTES
                    + " bytes", requestId);
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return error(431, "the request's headers are larger than " + HttpInitializer.MAX_HEADER_BYTES
                    + " bytes", requestId);
        }
        return error(400, "malformed HTTP request" + reason(cause), requestId);
    }

    /** The codec's reason, as far as it is printable and short: it may quote what the client sent. */
    private static String reason(Throwable cause) {
        String text = cause == null || cause.getMessage() == null ? "" : cause.getMessage()
                .replaceAll("[^\\x20-\\x7e]", "?");
        return text.isEmpty() ? "" : ": " + (text.length() > MAX_REASON_CHARS
                ? text.substring(0, MAX_REASON_CHARS) + "..." : text);
    }

    private static PreparedResponse error(int status, String message, String requestId,
                                          Map<String, String> headers) {
        return PreparedResponse.of(errorResponse(status, message, requestId, headers));
    }

    private static Response errorResponse(int status, String message, String requestId, Map<String, String> headers) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("error", message);
        body.put("requestId", requestId);
        Response response = Response.json(status, body);
        headers.forEach(response::header);
        return response;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof ChannelInputShutdownEvent) {
            inputShut = true;
            if (!busy && waiting.isEmpty()) {
                ctx.close();
            }
        } else if (event instanceof RequestArrival.TimedOut late) {
            if (busy || closing) {
                // Answering already, or lingering after the connection's last response: what comes is dropped.
                return;
            }
            // The client may still be sending: the connection lingers so that it reads the 408.
            busy = true;
            Exchange exchange = begin(ctx, "-", "-", false, null);
            exchange.lingerOnClose = true;
            exchange.finish(error(408, "the request did not arrive whole within " + late.limitMillis() + " ms of "
                    + "its first bytes (clutch.http.idleTimeout); send it faster, or have the server's "
                    + "clutch.http.idleTimeout raised", exchange.requestId));
        } else if (event instanceof IdleStateEvent) {
            if (writing != null) {
                // Its response has not moved for the whole idle time: the client stopped reading, and the response
                // would otherwise stay in memory for as long as the connection stays open.
                log.info("closed the connection from {}: the response to {} {} (request {}) was not read within "
                        + "clutch.http.idleTimeout", client(ctx), writing.method, writing.uri, writing.requestId);
                ctx.close();
            } else if (!busy && waiting.isEmpty()) {
                // Otherwise idle means nothing to answer: a request in flight or waiting is not idle.
                ctx.close();
            }
        } else {
            ctx.fireUserEventTriggered(event);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException || cause instanceof PrematureChannelClosureException) {
            // The client went away (mid-body, say): its business, not the worker's error.
            log.debug("HTTP connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        } else if (pipelinedTooFar(cause)) {
            // The client's doing, not the worker's: Netty's codec holds at most 128 requests pipelined ahead of
            // their responses (one read can bring thousands). The response in progress is the last; the client
            // sends the unanswered ones again on a new connection (RFC 9112, 9.3.2).
            refusedLog.log(heldBack -> log.info("HTTP connection {}: {}; closing it after the response in "
                    + "progress{}", client(ctx), cause.getCause().getMessage(), LogThrottle.andMore(heldBack)));
            closing = true;
            gate.shut(ctx.channel());
            dropWaiting();
            if (!busy) {
                ctx.close();
            }
            return;
        } else {
            log.error("HTTP connection {} broke: {}", ctx.channel().remoteAddress(), cause.toString(), cause);
            reportIfFatal(cause);
        }
        ctx.close();
    }

    /** Netty's codec refusing requests pipelined past its depth: told apart by its words, as it has no type. */
    private static boolean pipelinedTooFar(Throwable cause) {
        return cause instanceof DecoderException && cause.getCause() instanceof IllegalStateException refused
                && String.valueOf(refused.getMessage()).startsWith("maxPipelineDepth exceeded");
    }

    /** One request on its way to its response, which is written exactly once. */
    private final class Exchange {
        private final ChannelHandlerContext ctx;
        private final String method;
        private final String uri;
        private final String requestId;
        private final long started;
        private final AtomicBoolean answered = new AtomicBoolean();
        /** A blocking request's handler runs only if its thread claims this before the timeout does. */
        private final AtomicBoolean handlerClaimed = new AtomicBoolean();
        private boolean keepAlive;
        /** Its client reads no chunked responses: they go to it as one body. */
        private boolean http10;
        /** Its client may still be sending (a body over the limit, bytes the codec could not read). */
        private boolean lingerOnClose;
        private ScheduledFuture<?> timeout;

        Exchange(ChannelHandlerContext ctx, String method, String uri, boolean keepAlive, String requestId,
                 long started) {
            this.ctx = ctx;
            this.method = method;
            this.uri = uri;
            this.keepAlive = keepAlive;
            this.requestId = requestId;
            this.started = started;
        }

        /**
         * Past {@code after}, answers 503, saying whether the handler will not run (safe to retry, so with
         * {@code Retry-After}) or runs on and may yet take effect.
         */
        void armTimeout(Duration after) {
            timeout = ctx.executor().schedule(() -> {
                if (handlerClaimed.compareAndSet(false, true)) {
                    log.warn("{} {} (request {}) waited over {} ms (clutch.http.requestTimeout) for a handler "
                            + "thread: answered 503, its handler will not run", method, uri, requestId,
                            after.toMillis());
                    finish(error(503, "the request waited over " + after.toMillis() + " ms "
                            + "(clutch.http.requestTimeout) for a handler thread and was not started; retry",
                            requestId, Map.of("retry-after", "1")));
                } else {
                    log.warn("{} {} (request {}) took over {} ms (clutch.http.requestTimeout): answered 503, its "
                            + "handler still runs", method, uri, requestId, after.toMillis());
                    finish(error(503, "the request took over " + after.toMillis() + " ms "
                            + "(clutch.http.requestTimeout); its handler is still running and may yet take effect",
                            requestId));
                }
            }, after.toMillis(), TimeUnit.MILLISECONDS);
        }

        /** On the event loop. */
        void finish(PreparedResponse response) {
            if (!answered.compareAndSet(false, true)) {
                return;
            }
            if (timeout != null) {
                timeout.cancel(false);
            }
            // A connection the codec gave up on (closing) ends with this response: the client is told so.
            boolean keep = keepAlive && !closing && !shared.draining().isDraining();
            writing = this;
            try {
                shared.writer().write(ctx, client(ctx), method, uri, requestId,
                                http10 ? response.unchunked() : response, keep, started)
                        .addListener(written -> done(keep && written.isSuccess()));
            } catch (RuntimeException | Error e) {
                // Answered already, so nothing else ends this request: without done() the drain would wait for it.
                log.error("{} {} (request {}): the response could not be written: {}", method, uri, requestId,
                        e.toString(), e);
                done(false);
                if (e instanceof Error fatal) {
                    throw fatal;
                }
            }
        }

        private void done(boolean keepConnection) {
            writing = null;
            Draining.busy(ctx.channel(), false);
            shared.inFlight().end();
            // A drain that began while this response was written skipped the connection then: it closes now.
            if (keepConnection && !shared.draining().isDraining()) {
                next(ctx);
            } else if (lingerOnClose || closing || (keepAlive && !waiting.isEmpty()) || keepConnection) {
                // The client may have sent more (pipelined, or after a keep-alive response the drain then ended):
                // a plain close with its bytes unread would reset the connection and could destroy this response.
                // Its unanswered requests are the client's to send again (RFC 9112, 9.3.2).
                closeOnceTheClientHasRead(ctx);
            } else {
                ctx.close();
            }
        }
    }
}
