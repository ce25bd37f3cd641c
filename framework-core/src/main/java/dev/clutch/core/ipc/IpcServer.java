package dev.clutch.core.ipc;

import dev.clutch.core.message.Destination;
import dev.clutch.core.message.Envelope;
import dev.clutch.core.message.Hello;
import dev.clutch.core.message.MessageRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The master's IPC endpoint: a Unix domain socket in the run directory. Every connection must authenticate with a
 * {@link dev.clutch.core.message.Hello} first; afterwards its messages go to the {@link Listener}.
 */
public final class IpcServer implements AutoCloseable {

    /** Receives what happens on authenticated connections; called on Netty threads. */
    public interface Listener {
        void connected(ChildConnection connection);

        /** A message for the master itself, decoded, its sender stamped. */
        void received(ChildConnection connection, Envelope envelope);

        /**
         * Messages from one child for others, as their frames (sender stamped); the listener owns the run's buffer.
         * Called on the IPC thread, like {@link #forwardsRead} and {@link #writabilityChanged}.
         */
        void forward(ChildConnection from, Destination to, FrameRun run);

        /** The end of one read from {@code from}: a moment to flush what its messages were forwarded to. */
        void forwardsRead(ChildConnection from);

        /** The connection's unsent bytes crossed {@code clutch.ipc.maxPendingBytes}, or fell back below half. */
        void writabilityChanged(ChildConnection connection);

        void disconnected(ChildConnection connection);
    }

    private final IpcTransport transport;
    private final EventLoopGroup group;
    private final Path socketPath;
    private final MessageRegistry registry;
    private final int maxFrameBytes;
    private final Duration helloTimeout;
    private final TokenBook tokens;
    private final Listener listener;
    private final PayloadRegistryCheck payloadTypes;
    private final int maxPendingBytes;
    private final AtomicInteger pendingHellos = new AtomicInteger();
    private Channel serverChannel;

    public IpcServer(IpcTransport transport, EventLoopGroup group, Path socketPath, MessageRegistry registry,
                     int maxFrameBytes, int maxPendingBytes, Duration helloTimeout, TokenBook tokens,
                     PayloadRegistryCheck payloadTypes, Listener listener) {
        this.transport = transport;
        this.group = group;
        this.socketPath = socketPath;
        this.registry = registry;
        this.maxFrameBytes = maxFrameBytes;
        this.helloTimeout = helloTimeout;
        this.tokens = tokens;
        this.listener = listener;
        this.payloadTypes = payloadTypes;
        this.maxPendingBytes = maxPendingBytes;
    }

    public void start() throws IOException {
        Files.deleteIfExists(socketPath);
        serverChannel = new ServerBootstrap()
                .group(group)
                .channel(transport.serverDomainChannel())
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        IpcPipeline.limitPending(ch, maxPendingBytes);
                        // What the master sends may be as large as the configuration allows from the start; what
                        // it accepts, only once the peer has authenticated, and frame by frame until then.
                        IpcPipeline.addCodec(ch.pipeline(), registry, IpcPipeline.HELLO_MAX_FRAME_BYTES,
                                maxFrameBytes);
                        ((FrameDecoder) ch.pipeline().get(IpcPipeline.FRAME_DECODER)).oneFrameUntilLimitRaised();
                        ((KryoDecoder) ch.pipeline().get(IpcPipeline.MESSAGE_DECODER)).acceptOnly(Hello.class);
                        ch.pipeline().addLast(HelloHandler.NAME, new HelloHandler(transport, tokens, registry,
                                helloTimeout, maxFrameBytes, pendingHellos, payloadTypes, listener));
                    }
                })
                .bind(new DomainSocketAddress(socketPath.toFile()))
                .syncUninterruptibly()
                .channel();
    }

    public Path socketPath() {
        return socketPath;
    }

    @Override
    public void close() {
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
    }
}
