package dev.clutch.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ceiling the cluster is compared with: one JVM, one Netty server with 2 event-loop threads, answering what a
 * Clutch worker answers on {@code /_clutch/health} (the same JSON through Jackson, the same headers).
 *
 * <p>Usage: {@code java -cp <classpath> dev.clutch.bench.SingleJvmServer <port>}
 */
public final class SingleJvmServer {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PID = Long.toString(ProcessHandle.current().pid());
    private static final AtomicLong IDS = new AtomicLong();

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
        Channel server = new ServerBootstrap()
                .group(group)
                .channel(EpollServerSocketChannel.class)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20),
                                new Health());
                    }
                })
                .bind("127.0.0.1", port).sync().channel();
        System.out.println("single JVM server ready on " + server.localAddress());
        server.closeFuture().sync();
    }

    /** The Date header of this second, formatted once a second as a worker does. */
    private static volatile String date = "";
    private static volatile long dateSecond = -1;

    private static String date() {
        long now = System.currentTimeMillis();
        if (now / 1000 != dateSecond) {
            date = io.netty.handler.codec.DateFormatter.format(new java.util.Date(now));
            dateSecond = now / 1000;
        }
        return date;
    }

    private static final class Health extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) throws Exception {
            Map<String, Object> health = new LinkedHashMap<>();
            health.put("status", "up");
            health.put("role", "worker");
            health.put("worker", 1);
            health.put("pid", ProcessHandle.current().pid());
            byte[] body = JSON.writeValueAsBytes(health);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.wrappedBuffer(body));
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                    .set(HttpHeaderNames.DATE, date())
                    .set("X-Clutch-Worker", PID)
                    .set("X-Request-Id", Long.toString(IDS.incrementAndGet(), 36))
                    .set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            var written = ctx.writeAndFlush(response);
            if (!keepAlive) {
                written.addListener(f -> ctx.close());
            }
        }
    }
}
