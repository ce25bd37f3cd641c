package dev.clutch.worker.internal;

import dev.clutch.core.logging.LogLayout;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a {@link PreparedResponse} into HTTP on the wire, with the headers every response carries ({@code X-Clutch-Worker},
 * {@code X-Request-Id}, {@code Connection}), and writes the access log line.
 */
final class ResponseWriter {

    // AsciiString: Netty validates, hashes and encodes these once, not once per response.
    private static final AsciiString WORKER_HEADER = AsciiString.cached("X-Clutch-Worker");
    private static final AsciiString REQUEST_ID_HEADER = AsciiString.cached("X-Request-Id");
    private static final Logger access = LoggerFactory.getLogger(LogLayout.ACCESS_LOGGER);
    private static final AsciiString PID = AsciiString.cached(Long.toString(ProcessHandle.current().pid()));

    /** nginx's status for a request whose client went away before its response could be sent. */
    static final int CLIENT_CLOSED_REQUEST = 499;

    private final boolean accessLog;

    ResponseWriter(boolean accessLog) {
        this.accessLog = accessLog;
    }

    /** On the event loop; {@code client} is the remote address, for the access log. */
    ChannelFuture write(ChannelHandlerContext ctx, String client, String method, String uri, String requestId,
                        PreparedResponse response, boolean keepAlive, long startedNanos) {
        int code = response.status().code();
        // HEAD gets the headers a GET would; 204 and 304 have no body at all, nor a length (RFC 9110, 8.6).
        boolean withoutLength = code == 204 || code == 304;
        boolean withoutBody = withoutLength || method.equals("HEAD");
        ChannelFuture written;
        long bytes = 0;
        if (response.chunks() != null) {
            HttpResponse start = new DefaultHttpResponse(HttpVersion.HTTP_1_1, response.status(), response.headers());
            frameworkHeaders(start.headers(), requestId, keepAlive);
            if (!withoutLength) {
                start.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            }
            ctx.write(start);
            if (!withoutBody) {
                for (String chunk : response.chunks()) {
                    ByteBuf content = Unpooled.copiedBuffer(chunk, StandardCharsets.UTF_8);
                    bytes += content.readableBytes();
                    ctx.write(new DefaultHttpContent(content));
                }
            }
            written = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        } else {
            byte[] body = response.body();
            FullHttpResponse full = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, response.status(),
                    withoutBody ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body), response.headers(),
                    EmptyHttpHeaders.INSTANCE);
            frameworkHeaders(full.headers(), requestId, keepAlive);
            if (!withoutLength) {
                full.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            }
            bytes = withoutBody ? 0 : body.length;
            written = ctx.writeAndFlush(full);
        }
        if (accessLog && access.isInfoEnabled()) {
            // A write to a connection the client has closed fails at once: logged as nginx does, 499 and no bytes.
            boolean clientGone = written.isDone() && !written.isSuccess();
            // Built here, not from a pattern with placeholders: one line per request.
            access.info(new StringBuilder(96).append(client).append(" \"").append(method)
                    .append(' ').append(uri).append("\" ").append(clientGone ? CLIENT_CLOSED_REQUEST
                            : response.status().code()).append(' ').append(clientGone ? 0 : bytes)
                    .append(' ').append((System.nanoTime() - startedNanos) / 1_000_000).append("ms ")
                    .append(requestId).toString());
        }
        return written;
    }

    /** The {@code Date} of this second, made once a second rather than for every response. */
    private record Stamp(long second, String date) {
    }

    private static volatile Stamp stamp = new Stamp(-1, "");

    /** The date every response carries (RFC 9110, 6.6.1), in the one format HTTP senders use (IMF-fixdate). */
    static String httpDate() {
        long now = System.currentTimeMillis();
        Stamp current = stamp;
        if (current.second() != now / 1000) {
            current = new Stamp(now / 1000, DateFormatter.format(new Date(now)));
            stamp = current;
        }
        return current.date();
    }

    private static void frameworkHeaders(HttpHeaders headers, String requestId, boolean keepAlive) {
        if (!headers.contains(HttpHeaderNames.DATE)) {
            headers.set(HttpHeaderNames.DATE, httpDate());
        }
        headers.set(WORKER_HEADER, PID);
        headers.set(REQUEST_ID_HEADER, requestId);
        headers.set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
    }
}
