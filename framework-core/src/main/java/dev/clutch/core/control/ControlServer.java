package dev.clutch.core.control;

import dev.clutch.core.ipc.IpcPipeline;
import dev.clutch.core.ipc.IpcTransport;
import dev.clutch.core.message.ControlReply;
import dev.clutch.core.message.ControlRequest;
import dev.clutch.core.message.MessageRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /** A request and the way to answer it. */
    public record Command(ControlRequest request, Consumer<ControlReply> reply) {
    }

    private final Channel channel;

    private ControlServer(Channel channel) {
        this.channel = channel;
    }

    /**
     * The largest frame either end of the control socket takes: a message's payload (up to
     * {@code clutch.ipc.maxFrameBytes}) travels base64-encoded, and the shared state comes back both described and
     * encoded.
     */
    public static int frameLimit(int maxFrameBytes) {
        return (int) Math.min(Integer.MAX_VALUE - 8, 3L * maxFrameBytes + 64 * 1024);
    }

    /** @param maxFrameBytes the instance's {@code clutch.ipc.maxFrameBytes} */
    public static ControlServer start(IpcTransport transport, EventLoopGroup group, Path socket, int maxFrameBytes,
                                      Consumer<Command> commands) throws IOException {
        Files.deleteIfExists(socket);
        Channel channel = new ServerBootstrap()
                .group(group)
                .channel(transport.serverDomainChannel())
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        IpcPipeline.addCodec(ch.pipeline(), MessageRegistry.framework(), frameLimit(maxFrameBytes));
                        ch.pipeline().addLast(new SimpleChannelInboundHandler<ControlRequest>() {
                            @Override
                            public void channelActive(ChannelHandlerContext ctx) {
                                if (transport.peerCredentials(ctx.channel()).uid() != transport.ownUid()) {
                                    log.warn("control: refused a connection from another user");
                                    ctx.close();
                                    return;
                                }
                                ctx.fireChannelActive();
                            }

                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, ControlRequest request) {
                                commands.accept(new Command(request, reply -> answer(ctx, request, reply)));
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                log.warn("control: bad request ({}); connection closed", cause.toString());
                                ctx.close();
                            }
                        });
                    }
                })
                .bind(new DomainSocketAddress(socket.toFile()))
                .syncUninterruptibly()
                .channel();
        return new ControlServer(channel);
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

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }
}
