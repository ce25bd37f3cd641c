package dev.clutch.core.control;

import dev.clutch.core.ipc.IpcPipeline;
import dev.clutch.core.ipc.IpcTransport;
import dev.clutch.core.message.ControlReply;
import dev.clutch.core.message.ControlRequest;
import dev.clutch.core.message.MessageRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Sends commands to a running master through its control socket, one per connection, and waits for the reply. */
public final class ControlClient {

    private final Path socket;
    private final int maxFrameBytes;

    /**
     * @param maxFrameBytes the instance's {@code clutch.ipc.maxFrameBytes}: what the control socket carries is sized
     *     from it ({@link ControlServer#frameLimit})
     */
    public ControlClient(Path socket, int maxFrameBytes) {
        this.socket = socket;
        this.maxFrameBytes = ControlServer.frameLimit(maxFrameBytes);
    }

    /**
     * @throws IOException saying no instance runs there, or what went wrong talking to it
     */
    public ControlReply send(ControlRequest request, Duration timeout) throws IOException {
        if (!Files.exists(socket)) {
            throw new IOException("no running instance: " + socket + " does not exist (is it started, and with "
                    + "the same clutch.baseDir / clutch.runDir?)");
        }
        IpcTransport transport = IpcTransport.detect();
        EventLoopGroup group = transport.newGroup(1, "clutch-control");
        CompletableFuture<ControlReply> reply = new CompletableFuture<>();
        try {
            Channel channel = new Bootstrap()
                    .group(group)
                    .channel(transport.domainChannel())
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            IpcPipeline.addCodec(ch.pipeline(), MessageRegistry.framework(), maxFrameBytes);
                            ch.pipeline().addLast(new SimpleChannelInboundHandler<ControlReply>() {
                                @Override
                                protected void channelRead0(ChannelHandlerContext ctx, ControlReply r) {
                                    reply.complete(r);
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
                    .syncUninterruptibly()
                    .channel();
            channel.writeAndFlush(request).addListener(written -> {
                if (!written.isSuccess()) {
                    reply.completeExceptionally(new IOException("cannot send '" + request.command() + "' to the "
                            + "master: " + written.cause().getMessage(), written.cause()));
                }
            });
            return reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IOException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("no answer from the master within " + timeout.toMillis() + " ms", e);
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
