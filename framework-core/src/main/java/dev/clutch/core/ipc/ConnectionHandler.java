package dev.clutch.core.ipc;

import dev.clutch.core.message.Destination;
import dev.clutch.core.message.Envelope;
import dev.clutch.core.message.Hello;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.io.IOException;
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
        String problem = problemWith(msg);
        if (problem == null) {
            listener.received(connection, ((Envelope) msg).stampedBy(connection.sender()));
        } else {
            log.error("IPC: {} sent {}; connection closed", connection, problem);
            ctx.close();
        }
    }

    /** Why a message cannot be routed, or {@code null} if it can. */
    private String problemWith(Object msg) {
        if (connection.kind() == Hello.ChannelKind.DESCRIPTORS) {
            return "a message on its descriptor connection, which carries descriptors only";
        }
        if (!(msg instanceof Envelope envelope)) {
            return "a bare " + msg.getClass().getSimpleName() + " instead of an envelope";
        }
        Destination to = envelope.destination();
        if (to == null || to.kind() == null) {
            return "an envelope without a destination";
        }
        if (envelope.body() == null) {
            return "an envelope without a body";
        }
        if (to.kind() == Destination.Kind.PROCESS && to.pid() <= 0) {
            return "an envelope for pid " + to.pid();
        }
        if (to.kind() != Destination.Kind.MASTER) {
            // Application messages to other processes were forwarded before decoding; anything else is not theirs.
            return "a " + envelope.body().getClass().getSimpleName() + " for " + to + ": only application messages "
                    + "go between processes";
        }
        return null;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        listener.disconnected(connection);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            // Its process went away mid-connection (killed, crashed): not an error of its own, and its exit is
            // reported where the master sees it.
            log.info("IPC: {} broke off ({}); connection closed", connection, cause.getMessage());
        } else {
            log.error("IPC: {} sent {}; connection closed", connection, FrameErrors.describe(cause));
        }
        ctx.close();
    }
}
