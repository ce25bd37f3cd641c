package dev.clutch.core.ipc;

import dev.clutch.core.message.Envelope;
import dev.clutch.core.message.Hello;
import dev.clutch.core.message.Sender;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.unix.FileDescriptor;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The master's end of one authenticated connection from a child. */
public final class ChildConnection {

    private static final Logger log = LoggerFactory.getLogger(ChildConnection.class);

    private final Channel channel;
    private final Sender sender;
    private final Hello.ChannelKind kind;

    ChildConnection(Channel channel, Sender sender, Hello.ChannelKind kind) {
        this.channel = channel;
        this.sender = sender;
        this.kind = kind;
    }

    /** The child, as authenticated at hello: its pid comes from the kernel's peer credentials. */
    public Sender sender() {
        return sender;
    }

    public Hello.ChannelKind kind() {
        return kind;
    }

    public ChannelFuture send(Envelope envelope) {
        return channel.writeAndFlush(envelope);
    }

    /**
     * Queues an envelope, or a forwarded frame (its length prefix removed), without flushing; on the IPC thread,
     * where it is written at once and in call order.
     */
    public void write(Object message) {
        if (message instanceof io.netty.buffer.ByteBuf) {
            // Forwarded bytes cannot fail to encode: no promise to allocate per message.
            channel.write(message, channel.voidPromise());
        } else {
            channel.write(message).addListener(written -> {
                if (!written.isSuccess() && channel.isActive()) {
                    log.error("IPC: {} could not be sent to {}: {}", ((Envelope) message).body().getClass()
                            .getSimpleName(), sender.describe(), written.cause().toString());
                }
            });
        }
    }

    public void flush() {
        channel.flush();
    }

    /** Stops or resumes reading this connection: how a sender is held back while its receivers catch up. */
    public void reading(boolean on) {
        channel.config().setAutoRead(on);
    }

    /** Passes a file descriptor to the child; only on a {@link Hello.ChannelKind#DESCRIPTORS} connection. */
    public ChannelFuture sendDescriptor(FileDescriptor fd) {
        if (kind != Hello.ChannelKind.DESCRIPTORS) {
            throw new IllegalStateException("descriptors go over a DESCRIPTORS connection, not " + kind);
        }
        return channel.writeAndFlush(fd);
    }

    /** False while this connection's unsent messages are over {@code clutch.ipc.maxPendingBytes}. */
    public boolean isWritable() {
        return channel.isWritable();
    }

    /** Whether its unsent messages are past half of {@code clutch.ipc.maxPendingBytes}, or more. */
    public boolean isFallingBehind() {
        return !channel.isWritable() || channel.bytesBeforeUnwritable()
                < channel.config().getWriteBufferHighWaterMark() - channel.config().getWriteBufferLowWaterMark();
    }

    public boolean isOpen() {
        return channel.isActive();
    }

    /** Completes when the connection has closed, after the last bytes the child sent were read. */
    public ChannelFuture closeFuture() {
        return channel.closeFuture();
    }

    public void close() {
        channel.close();
    }

    @Override
    public String toString() {
        return sender.describe() + " " + kind.name().toLowerCase(Locale.ROOT) + " connection";
    }
}
