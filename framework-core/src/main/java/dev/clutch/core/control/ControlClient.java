package dev.clutch.core.control;

import dev.clutch.core.config.ClutchConfig;
import dev.clutch.core.config.ClutchSettings;
import dev.clutch.core.ipc.IpcPipeline;
import dev.clutch.core.ipc.IpcTransport;
import dev.clutch.core.master.RunDirectory;
import dev.clutch.core.message.ControlReply;
import dev.clutch.core.message.ControlRequest;
import dev.clutch.core.message.MessageRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Sends commands to a running master through its control socket, one per connection, and waits for the reply. */
public final class ControlClient {

    /**
     * Replies come from the instance's own master, over a socket only its user can open, and that master may run
     * with a larger {@code clutch.ipc.maxFrameBytes} than this command was given (a {@code -D} flag of its start):
     * a reply may be as large as the largest setting allows.
     */
    private static final int MAX_REPLY_FRAME_BYTES = ControlServer.frameLimit(
            (int) ClutchSettings.IPC_MAX_FRAME_BYTES_CEILING);

    private final Path socket;
    private final int maxRequestFrameBytes;

    /**
     * @param maxFrameBytes {@code clutch.ipc.maxFrameBytes} as this command sees it: a request may be as large as
     *     the control socket carries for it ({@link ControlServer#frameLimit})
     */
    public ControlClient(Path socket, int maxFrameBytes) {
        this.socket = socket;
        this.maxRequestFrameBytes = ControlServer.frameLimit(maxFrameBytes);
    }

    /** The client of the instance {@code config} describes: its run directory's control socket. */
    public static ControlClient of(ClutchConfig config) {
        return new ControlClient(RunDirectory.controlSocketIn(config.runDir()), config.maxFrameBytes());
    }

    /**
     * @throws IOException saying no instance runs there, or what went wrong talking to it
     */
    public ControlReply send(ControlRequest request, Duration timeout) throws IOException {
        if (!Files.exists(socket)) {
            throw new IOException("no running instance: " + socket + " does not exist (is it started, and with "
                    + "the same clutch.baseDir / clutch.runDir? a single-process run, start --single, takes no "
                    + "commands)");
        }
        IpcTransport transport = IpcTransport.detect();
        EventLoopGroup group = transport.newGroup(1, "clutch-control");
        CompletableFuture<ControlReply> reply = new CompletableFuture<>();
        try {
            ChannelFuture connected = new Bootstrap()
                    .group(group)
                    .channel(transport.domainChannel())
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            IpcPipeline.addCodec(ch.pipeline(), MessageRegistry.framework(), MAX_REPLY_FRAME_BYTES,
                                    maxRequestFrameBytes);
                            ch.pipeline().addLast(new SimpleChannelInboundHandler<ControlReply>() {
                                @Override
                                protected void channelRead0(ChannelHandlerContext ctx, ControlReply r) {
                                    reply.complete(r);
                                }

                                @Override
                                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                    // First: the close that follows would otherwise be reported as the master's.
                                    reply.completeExceptionally(cause instanceof IOException
                                            // A reset: its listen backlog dropped when it stopped, or it died.
                                            ? new IOException("the master dropped the connection without answering '"
                                            + request.command() + "' (it is stopping or gone: check with status "
                                            + "whether it was carried out): " + cause.getMessage(), cause)
                                            : new IOException("cannot read the master's answer: "
                                            + cause.getMessage(), cause));
                                    ctx.close();
                                }

                                @Override
                                public void channelInactive(ChannelHandlerContext ctx) {
                                    reply.completeExceptionally(new IOException("the master closed the control "
                                            + "connection without answering"));
                                }
                            });
                        }
                    })
                    .connect(new DomainSocketAddress(socket.toFile()))
                    .awaitUninterruptibly();
            if (!connected.isSuccess()) {
                Throwable cause = connected.cause();
                if (!Files.exists(socket)) {
                    throw new IOException("no running instance: " + socket + " went away while connecting (the "
                            + "master stopped)", cause);
                }
                throw cause instanceof ConnectException refused
                        ? new IOException("no running instance: nothing listens on " + socket + " (the master that "
                        + "made it is gone; the next start replaces it)", refused)
                        : new IOException("cannot reach the master at " + socket + ": " + cause, cause);
            }
            Channel channel = connected.channel();
            channel.writeAndFlush(request).addListener(written -> {
                if (!written.isSuccess()) {
                    // Not carried out for sure: typically a master that closed its socket while stopping.
                    reply.completeExceptionally(new IOException("'" + request.command() + "' did not reach the "
                            + "master, nothing was done (it is stopping or gone, or refused the connection): "
                            + written.cause().getMessage(), written.cause()));
                }
            });
            return reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IOException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("no answer from the master within " + timeout.toMillis() + " ms: it is stopped "
                    + "or overloaded, and may still carry out '" + request.command() + "' once it runs again (check "
                    + "with status)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (RuntimeException e) {
            throw new IOException("cannot reach the master at " + socket + ": " + e.getMessage(), e);
        } finally {
            group.shutdownGracefully(0, 100, TimeUnit.MILLISECONDS);
        }
    }
}
