package dev.clutch.core.ipc;

import dev.clutch.core.logging.LogThrottle;
import dev.clutch.core.message.Hello;
import dev.clutch.core.message.MessageRegistry;
import dev.clutch.core.message.Sender;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.unix.PeerCredentials;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates a new connection: its first message must be a {@link Hello} with an unspent token, sent by the
 * process the hello names (checked against the kernel's peer credentials), within the hello timeout. Anything else
 * closes the connection and logs who tried. On success it hands the channel to a {@link ConnectionHandler}.
 */
final class HelloHandler extends ChannelInboundHandlerAdapter {

    static final String NAME = "hello";
    /** Connections waiting to authenticate at once; the master only ever expects a few. */
    static final int MAX_PENDING_HELLOS = 64;
    private static final Logger log = LoggerFactory.getLogger(HelloHandler.class);
    /**
     * A flood of connections is refused thousands of times a second, each for the same reason: one line a second.
     * Per JVM, as a master has one IPC server.
     */
    private static final LogThrottle crowdedOutLog = new LogThrottle(Duration.ofSeconds(1));

    private final IpcTransport transport;
    private final TokenBook tokens;
    private final MessageRegistry registry;
    private final Duration timeout;
    private final IpcServer.Listener listener;
    private final int maxFrameBytes;
    private final AtomicInteger pendingHellos;
    private final PayloadRegistryCheck payloadTypes;
    private ScheduledFuture<?> deadline;
    private boolean counted;

    HelloHandler(IpcTransport transport, TokenBook tokens, MessageRegistry registry, Duration timeout,
                 int maxFrameBytes, AtomicInteger pendingHellos, PayloadRegistryCheck payloadTypes, IpcServer.Listener listener) {
        this.transport = transport;
        this.tokens = tokens;
        this.registry = registry;
        this.timeout = timeout;
        this.maxFrameBytes = maxFrameBytes;
        this.pendingHellos = pendingHellos;
        this.payloadTypes = payloadTypes;
        this.listener = listener;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        counted = true;
        if (pendingHellos.incrementAndGet() > MAX_PENDING_HELLOS && !isOwnChild(ctx)) {
            crowdedOutLog.log(heldBack -> log.warn("IPC: refused connection from {}: it is one connection too many, "
                    + "{} are already waiting to authenticate; connection closed{}", describePeer(ctx),
                    MAX_PENDING_HELLOS, LogThrottle.andMore(heldBack)));
            ctx.close();
            return;
        }
        PeerCredentials peer = transport.peerCredentials(ctx.channel());
        if (peer.uid() != IpcTransport.processUid()) {
            refuse(ctx, "runs as uid " + peer.uid() + ", not as this master's user");
            return;
        }
        deadline = ctx.executor().schedule(() -> refuse(ctx, "sent no hello within " + timeout.toMillis() + " ms"),
                timeout.toMillis(), TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        cancelDeadline();
        if (!(msg instanceof Hello hello) || hello.role() == null || hello.channel() == null) {
            refuse(ctx, "sent something other than a complete hello before authenticating");
            return;
        }
        PeerCredentials peer = transport.peerCredentials(ctx.channel());
        if (peer.pid() != hello.pid()) {
            refuse(ctx, "claims pid " + hello.pid() + " in its hello");
            return;
        }
        if (!registry.digest().equals(hello.registryDigest())) {
            refuse(ctx, "has a different message registry (" + hello.registryDigest() + ", master has "
                    + registry.digest() + "): every process of a cluster must run the same Clutch and application "
                    + "version");
            return;
        }
        String differing = payloadTypes.difference(hello);
        if (differing != null) {
            refuse(ctx, "registers other payload types than the master (" + differing + "): every process of a "
                    + "cluster must run the same application version (to deploy a build with other payload types, "
                    + "reload --agent replaces the agent first, then the workers)");
            return;
        }
        if (!tokens.redeem(hello.token(), hello.channel(), hello.role(), hello.workerId())) {
            refuse(ctx, "presented an unknown or spent token as " + hello.role().label());
            return;
        }
        payloadTypes.accepted(hello);
        Sender sender = new Sender(hello.role(), hello.workerId(), hello.pid());
        ChildConnection connection = new ChildConnection(ctx.channel(), sender, hello.channel());
        release();
        ((FrameDecoder) ctx.pipeline().get(IpcPipeline.FRAME_DECODER)).limit(maxFrameBytes);
        ((KryoDecoder) ctx.pipeline().get(IpcPipeline.MESSAGE_DECODER)).acceptAll();
        if (hello.channel() == Hello.ChannelKind.DESCRIPTORS) {
            // Only file descriptors travel this way from now on; they bypass the message encoders.
            ctx.pipeline().remove(IpcPipeline.MESSAGE_ENCODER);
        }
        ctx.pipeline().replace(this, ConnectionHandler.NAME, new ConnectionHandler(connection, listener));
        if (hello.channel() == Hello.ChannelKind.MESSAGES) {
            ForwardingHandler forwarding = new ForwardingHandler(connection, listener, registry);
            ctx.pipeline().addAfter(IpcPipeline.FRAME_DECODER, ForwardingHandler.NAME, forwarding);
            ((FrameDecoder) ctx.pipeline().get(IpcPipeline.FRAME_DECODER)).joinRuns(forwarding);
            // What is forwarded is flushed once per read; what the master sends itself, at once.
            ctx.pipeline().remove(FlushConsolidationHandler.class);
        }
        log.debug("authenticated {}", connection);
        listener.connected(connection);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelDeadline();
        release();
        ctx.fireChannelInactive();
    }

    private void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel(false);
        }
    }

    /** This connection no longer waits to authenticate. */
    private void release() {
        if (counted) {
            counted = false;
            pendingHellos.decrementAndGet();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        refuse(ctx, "sent " + FrameErrors.describe(cause));
    }

    private void refuse(ChannelHandlerContext ctx, String why) {
        cancelDeadline();
        if (!ctx.channel().isOpen()) {
            return;
        }
        log.warn("IPC: refused connection from {}: it {}; connection closed", describePeer(ctx), why);
        ctx.close();
    }

    /**
     * Whether the peer is a process this master started: past the cap, a flood of other connections must not
     * keep a new worker from saying hello (a reload would fail). Only asked then, as it reads the process table.
     */
    private boolean isOwnChild(ChannelHandlerContext ctx) {
        try {
            long self = ProcessHandle.current().pid();
            return ProcessHandle.of(transport.peerCredentials(ctx.channel()).pid())
                    .flatMap(ProcessHandle::parent).map(parent -> parent.pid() == self).orElse(false);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private String describePeer(ChannelHandlerContext ctx) {
        try {
            PeerCredentials peer = transport.peerCredentials(ctx.channel());
            return "pid " + peer.pid() + " (uid " + peer.uid() + ")";
        } catch (RuntimeException e) {
            return "an unknown peer";
        }
    }
}
