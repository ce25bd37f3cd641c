package dev.clutch.core.ipc;

import dev.clutch.core.message.Envelope;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's handler of an authenticated connection: stamps the sender on every envelope and passes it on. A bad
 * frame closes this connection only.
 */
final class ConnectionHandler extends SimpleChannelInboundHandler<Object> {

    static final String NAME = "connection";
    private static final Logger log = LoggerFactory.getLogger(ConnectionHandler.class);

    private final ChildConnection connection;
    private final IpcServer.Listener listener;

    ConnectionHandler(ChildConnection connection, IpcServer.Listener listener) {
        this.connection = connection;
        this.listener = listener;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Envelope envelope) {
            listener.received(connection, envelope.stampedBy(connection.sender()));
        } else {
            log.error("IPC: {} sent a bare {} instead of an envelope; connection closed", connection,
                    msg.getClass().getSimpleName());
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        listener.disconnected(connection);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.error("IPC: {} sent {}; connection closed", connection, FrameErrors.describe(cause));
        ctx.close();
    }
}
