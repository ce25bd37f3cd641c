package dev.clutch.core.control;

import dev.clutch.core.api.Messenger.MessageFailedException;
import dev.clutch.core.ipc.IpcPipeline;
import dev.clutch.core.ipc.IpcTransport;
import dev.clutch.core.logging.LogThrottle;
import dev.clutch.core.message.ControlReply;
import dev.clutch.core.message.ControlRequest;
import dev.clutch.core.message.MessageRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.PeerCredentials;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's control socket, {@code control.sock} in the owner-only run directory: one request, one reply, per
 * connection. Only processes of the master's own user may connect (checked against the kernel's peer credentials),
 * and the directory itself is closed to everyone else.
 */
public final class ControlServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ControlServer.class);
    /** Control connections open at once: operators' commands, and the test kit's messages in flight. */
    static final int MAX_CONNECTIONS = 256;
    /** Refusals come by the thousand when they come: one line a second of each kind. */
    private static final LogThrottle crowdedOutLog = new LogThrottle(Duration.ofSeconds(1));
    private static final LogThrottle silentLog = new LogThrottle(Duration.ofSeconds(1));

    /** A request and the way to answer it. */
    public record Command(ControlRequest request, Consumer<ControlReply> reply) {
    }

    /** How long {@link #close} waits for the answers still being written. */
    private static final Duration ANSWERS_AT_CLOSE = Duration.ofSeconds(1);

    private final Channel channel;
    private final ChannelGroup connections;

    private ControlServer(Channel channel, ChannelGroup connections) {
        this.channel = channel;
        this.connections = connections;
    }

    /**
     * @param maxFrameBytes the instance's {@code clutch.ipc.maxFrameBytes}
     * @param requestDeadline how soon after connecting a client must have sent its request
     *     ({@code clutch.ipc.helloTimeout}: a command sends it at once)
     */
    public static ControlServer start(IpcTransport transport, EventLoopGroup group, Path socket, int maxFrameBytes,
                                      Duration requestDeadline, Consumer<Command> commands) throws IOException {
        Files.deleteIfExists(socket);
        AtomicInteger open = new AtomicInteger();
        ChannelGroup connections = new DefaultChannelGroup("clutch-control", GlobalEventExecutor.INSTANCE);
        Channel channel = new ServerBootstrap()
                .group(group)
                .channel(transport.serverDomainChannel())
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.add(ch);
                        ch.pipeline().addLast(new ControlPreamble());
                        IpcPipeline.addCodec(ch.pipeline(), MessageRegistry.framework(), ControlFrames.limit(maxFrameBytes));
                        ch.pipeline().addLast(new Connection(transport, open, requestDeadline, commands));
                    }
                })
                .bind(new DomainSocketAddress(socket.toFile()))
                .syncUninterruptibly()
                .channel();
        return new ControlServer(channel, connections);
    }

    /**
     * One connection: its one request, checked, goes to the master, and the reply comes back. Connections are
     * bounded in number and must send their request at once, so that clients which connect and wait, by mistake or
     * by thousands, cannot use up the master's file descriptors (with the {@code rr} policy it accepts every HTTP
     * connection). Only processes of the master's own user get this far.
     */
    private static final class Connection extends ChannelInboundHandlerAdapter {

        private final IpcTransport transport;
        private final AtomicInteger open;
        private final Duration requestDeadline;
        private final Consumer<Command> commands;
        private boolean counted;
        private ScheduledFuture<?> deadline;
        private boolean requested;

        Connection(IpcTransport transport, AtomicInteger open, Duration requestDeadline, Consumer<Command> commands) {
            this.transport = transport;
            this.open = open;
            this.requestDeadline = requestDeadline;
            this.commands = commands;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            PeerCredentials peer = transport.peerCredentials(ctx.channel());
            long own = IpcTransport.processUid();
            if (peer.uid() != own) {
                // Only root gets past the run directory's 0700: told whom to run as, not left with a closed socket.
                log.warn("control: refused a command from pid {} of uid {}: this master takes commands from its own "
                        + "user (uid {}) only", peer.pid(), peer.uid(), own);
                refuse(ctx, "this master (pid " + ProcessHandle.current().pid() + ") takes commands from its own "
                        + "user only, uid " + own + ", and this command runs as uid " + peer.uid() + ": run it as "
                        + "that user (sudo -u '#" + own + "' ...)");
                return;
            }
            counted = true;
            if (open.incrementAndGet() > MAX_CONNECTIONS) {
                crowdedOutLog.log(heldBack -> log.warn("control: refused a connection: {} are open already{}",
                        MAX_CONNECTIONS, LogThrottle.andMore(heldBack)));
                // As back-pressure: the test kit's messenger fails a message refused here the way a cluster
                // process's messenger fails one it has too many of, and its caller retries.
                ctx.writeAndFlush(ControlReply.messageFailed(MessageFailedException.Reason.BACK_PRESSURE,
                        "the master has " + MAX_CONNECTIONS + " control connections open already: try again once "
                                + "the commands before this one are answered"))
                        .addListener(ChannelFutureListener.CLOSE);
                return;
            }
            deadline = ctx.executor().schedule(() -> {
                silentLog.log(heldBack -> log.warn("control: a client sent no request within {} ms of connecting "
                        + "(clutch.ipc.helloTimeout); connection closed{}", requestDeadline.toMillis(),
                        LogThrottle.andMore(heldBack)));
                refuse(ctx, "no request within " + requestDeadline.toMillis() + " ms of connecting");
            }, requestDeadline.toMillis(), TimeUnit.MILLISECONDS);
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object message) {
            if (deadline != null) {
                deadline.cancel(false);
            }
            if (requested) {
                // One request per connection: its reply closes it.
                ReferenceCountUtil.release(message);
                return;
            }
            requested = true;
            String malformed = malformed(message);
            if (malformed != null) {
                log.warn("control: {}; refused", malformed);
                refuse(ctx, malformed);
                return;
            }
            ControlRequest request = (ControlRequest) message;
            commands.accept(new Command(request, reply -> answer(ctx, request, reply)));
        }

        /** What is wrong with what a client sent, or {@code null}: commands need not check for nulls. */
        private static String malformed(Object message) {
            if (!(message instanceof ControlRequest request)) {
                return "a client sent a " + message.getClass().getSimpleName() + " instead of a control request";
            }
            if (request.command() == null) {
                return "a client sent a control request without a command";
            }
            if (request.args() != null && Arrays.asList(request.args()).contains(null)) {
                return "a client sent '" + request.command() + "' with a null argument";
            }
            return null;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.warn("control: bad request ({}); connection closed", cause.toString());
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (deadline != null) {
                deadline.cancel(false);
            }
            if (counted) {
                counted = false;
                open.decrementAndGet();
            }
            ctx.fireChannelInactive();
        }

        private static void refuse(ChannelHandlerContext ctx, String why) {
            if (ctx.channel().isActive()) {
                ctx.writeAndFlush(new ControlReply(false, why, "")).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }

    /** Sends the reply, or, when it cannot be sent (too large), why not: the operator never waits for nothing. */
    private static void answer(ChannelHandlerContext ctx, ControlRequest request, ControlReply reply) {
        ctx.writeAndFlush(reply).addListener(written -> {
            if (written.isSuccess() || !ctx.channel().isActive()) {
                // Sent, or no one waits for it any more (the command gave up, its timeout past).
                ctx.close();
                return;
            }
            log.warn("control: the answer to '{}' could not be sent: {}", request.command(),
                    written.cause().getMessage());
            ctx.writeAndFlush(new ControlReply(false, "the master's answer to '" + request.command() + "' could not "
                    + "be sent: " + written.cause().getMessage(), "")).addListener(ChannelFutureListener.CLOSE);
        });
    }

    /**
     * Stops accepting, then gives the connections already accepted a moment to get their answers out: a command
     * that reached a stopping master is answered (by then the master refuses it), not cut off when the process
     * exits. Each connection closes once its answer is written.
     */
    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        connections.newCloseFuture().awaitUninterruptibly(ANSWERS_AT_CLOSE.toMillis());
    }
}
