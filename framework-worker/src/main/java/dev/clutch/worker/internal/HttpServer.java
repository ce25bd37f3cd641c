package dev.clutch.worker.internal;

import dev.clutch.core.ipc.IpcTransport;
import dev.clutch.core.logging.ProcessLabel;
import dev.clutch.core.spi.ChildContext;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's HTTP server. It does not bind: the master passes it the cluster's listening socket, which it
 * registers and accepts on.
 */
final class HttpServer {

    private static final Logger log = LoggerFactory.getLogger(HttpServer.class);

    private final IpcTransport transport;
    private final ProcessLabel label;
    private final EventLoopGroup group;
    private final ChannelGroup connections = new DefaultChannelGroup("http", GlobalEventExecutor.INSTANCE);
    private final InFlight inFlight = new InFlight();
    private volatile Channel listener;

    HttpServer(IpcTransport transport, ProcessLabel label) {
        this.transport = transport;
        this.label = label;
        this.group = transport.newGroup(1, "clutch-http");
    }

    /** Waits for the listening socket from the master and starts accepting on it. */
    void start(ChildContext context, Duration timeout) throws IOException, InterruptedException {
        CompletableFuture<Channel> registered = new CompletableFuture<>();
        context.receiveDescriptors(fd -> {
            if (listener != null) {
                log.warn("ignoring an extra listening socket from the master (fd {})", fd.intValue());
                return;
            }
            ChannelFuture registration = new ServerBootstrap()
                    .group(group)
                    .channelFactory(() -> transport.serverSocketFromFd(fd))
                    .childHandler(new HttpInitializer(label, connections, inFlight))
                    .register();
            registration.addListener(f -> {
                if (f.isSuccess()) {
                    registered.complete(registration.channel());
                } else {
                    registered.completeExceptionally(f.cause());
                }
            });
        });
        try {
            listener = registered.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            log.info("accepting HTTP on {}", listener.localAddress());
        } catch (ExecutionException e) {
            throw new IOException("cannot accept on the listening socket from the master: " + e.getCause(), e);
        } catch (TimeoutException e) {
            throw new IOException("the master sent no listening socket within " + timeout.toMillis() + " ms", e);
        }
    }

    /**
     * Stops accepting, lets in-flight requests finish within {@code timeout}, then closes every connection. The
     * listening socket stays open in the master and the other workers.
     */
    void drain(Duration timeout) {
        if (listener != null) {
            listener.close().awaitUninterruptibly();
        }
        if (!inFlight.awaitIdle(timeout)) {
            log.warn("{} requests still in flight after {} ms: closing their connections", inFlight.count(),
                    timeout.toMillis());
        }
        connections.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
    }

    void close() {
        group.shutdownGracefully(0, 200, TimeUnit.MILLISECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
}
