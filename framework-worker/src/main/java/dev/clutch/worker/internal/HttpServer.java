package dev.clutch.worker.internal;

import dev.clutch.core.config.ClutchConfig;
import dev.clutch.core.ipc.IpcTransport;
import dev.clutch.core.message.DescriptorsTaken;
import dev.clutch.core.spi.ChildContext;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.unix.UnixChannelOption;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's HTTP server, fed the way the cluster's policy says: {@code none} registers the listening socket the
 * master passes; {@code rr} registers each connection the master passes and tells it how many it took;
 * {@code reuseport} binds its own socket.
 */
final class HttpServer {

    private static final Logger log = LoggerFactory.getLogger(HttpServer.class);

    private final IpcTransport transport;
    private final ClutchConfig config;
    private final EventLoopGroup group;
    private final ExecutorService executor;
    private final Draining draining;
    private final InFlight inFlight;
    private final HttpInitializer initializer;
    private volatile Channel listener;
    private FileDescriptor sharedSocket;
    private ChildContext context;
    private long taken;

    HttpServer(ChildContext context, Dispatcher.Shared shared) {
        this.transport = context.transport();
        this.config = context.config();
        this.group = transport.newGroup(config.workerIoThreads(), "clutch-http");
        this.executor = shared.executor();
        this.draining = shared.draining();
        this.inFlight = shared.inFlight();
        this.initializer = new HttpInitializer(shared, config.maxBodyBytes(), config.idleTimeout().toMillis());
    }

    /**
     * Gets ready to serve without taking connections yet: with {@code none}, receives the master's listening
     * socket; with {@code rr}, opens the connection the master hands accepted connections over (it hands none
     * before this worker is ready).
     */
    void prepare(ChildContext context) throws IOException, InterruptedException {
        this.context = context;
        if (context.bindsPortAlone()) {
            return;
        }
        switch (config.schedulingPolicy()) {
            case NONE -> sharedSocket = await(receiveListeningSocket(context));
            case RR -> context.receiveDescriptors(this::registerConnection, () -> taken++,
                    () -> context.sendToMaster(new DescriptorsTaken(taken)));
            case REUSEPORT -> {
                // Binds in open().
            }
            default -> throw new IllegalStateException("unknown policy " + config.schedulingPolicy());
        }
    }

    /** Starts taking connections: after the application's start-up hooks, so nothing reaches it before. */
    void open() throws IOException, InterruptedException {
        if (context.bindsPortAlone()) {
            listener = await(bind(false));
            context.listening((InetSocketAddress) listener.localAddress());
            // The configured host, as a cluster's workers say it (the bound wildcard would read [0:0:...:0]).
            log.info("serving HTTP on {}:{}", config.httpHost(), ((InetSocketAddress) listener.localAddress())
                    .getPort());
            return;
        }
        switch (config.schedulingPolicy()) {
            case NONE -> {
                FileDescriptor fd = sharedSocket;
                CompletableFuture<Channel> registered = new CompletableFuture<>();
                complete(serverBootstrap().channelFactory(() -> transport.serverSocketFromFd(fd)).register(),
                        registered);
                listener = await(registered);
            }
            case REUSEPORT -> listener = await(bind(true));
            default -> {
                // rr: the master starts handing connections over once this worker is ready.
            }
        }
        log.info("serving HTTP on {}:{} ({} policy)", config.httpHost(), config.httpPort(),
                config.schedulingPolicy().label());
    }

    private CompletableFuture<FileDescriptor> receiveListeningSocket(ChildContext context) throws IOException {
        CompletableFuture<FileDescriptor> received = new CompletableFuture<>();
        context.receiveDescriptors(fd -> {
            if (!received.complete(fd)) {
                log.warn("closing an extra listening socket from the master (fd {})", fd.intValue());
                closeQuietly(fd);
            }
        }, () -> { }, () -> { });
        return received;
    }

    private static void closeQuietly(FileDescriptor fd) {
        try {
            fd.close();
        } catch (IOException ignored) {
            // Nothing more to do with it.
        }
    }

    /** On the IPC thread: one connection accepted by the master. */
    private void registerConnection(FileDescriptor fd) {
        taken++;
        Channel connection;
        try {
            connection = transport.socketFromFd(fd);
        } catch (RuntimeException e) {
            // Not a socket the worker can serve (its client already gone, say): the descriptor must not leak.
            log.warn("cannot serve a connection handed over by the master (fd {}): {}", fd.intValue(), e.toString());
            try {
                fd.close();
            } catch (IOException ignored) {
                // Closed is what it was to be.
            }
            return;
        }
        connection.pipeline().addLast(initializer);
        group.next().register(connection).addListener(f -> {
            if (!f.isSuccess()) {
                log.warn("cannot serve a connection handed over by the master: {}", f.cause().toString());
                connection.close();
            }
        });
    }

    private CompletableFuture<Channel> bind(boolean reusePort) {
        CompletableFuture<Channel> bound = new CompletableFuture<>();
        ChannelFuture bind = serverBootstrap()
                .channel(transport.serverSocketChannel())
                .option(ChannelOption.SO_BACKLOG, config.httpBacklog())
                .option(UnixChannelOption.SO_REUSEPORT, reusePort)
                .bind(config.httpHost(), config.httpPort());
        complete(bind, bound);
        return bound;
    }

    private ServerBootstrap serverBootstrap() {
        return new ServerBootstrap().group(group).childHandler(initializer);
    }

    private static void complete(ChannelFuture future, CompletableFuture<Channel> result) {
        future.addListener(f -> {
            if (f.isSuccess()) {
                result.complete(future.channel());
            } else {
                result.completeExceptionally(f.cause());
            }
        });
    }

    private <T> T await(CompletableFuture<T> pending) throws IOException, InterruptedException {
        Duration timeout = config.workerStartTimeout();
        try {
            return pending.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IOException("cannot serve HTTP on " + config.httpHost() + ":" + config.httpPort() + ": "
                    + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("got no listening socket within " + timeout.toMillis() + " ms", e);
        }
    }

    EventLoopGroup eventLoops() {
        return group;
    }

    /**
     * Stops taking connections, lets in-flight requests finish within {@code timeout} (their connections close
     * after the response), then cuts the rest.
     */
    void drain(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (listener != null) {
            listener.close().awaitUninterruptibly();
        }
        draining.start();
        if (!inFlight.awaitIdle(timeout) || !draining.awaitClosed(deadline)) {
            log.warn("{} requests still in flight and {} connections open after {} ms: closing them",
                    inFlight.count(), draining.open(), timeout.toMillis());
        }
        draining.closeAll();
    }

    void close() {
        executor.shutdownNow();
        group.shutdownGracefully(0, 200, TimeUnit.MILLISECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
}
