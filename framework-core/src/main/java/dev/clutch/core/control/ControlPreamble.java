package dev.clutch.core.control;

import dev.clutch.core.logging.LogThrottle;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's end of the control socket's preamble ({@link ControlFrames#preamble()}): sends its own as the
 * connection opens, then lets the frames through only from a command of a build whose messages are the master's. A
 * command of another Clutch version is closed before any of its bytes are read as a message; it learns why from the
 * master's preamble.
 */
final class ControlPreamble extends ByteToMessageDecoder {

    private static final Logger log = LoggerFactory.getLogger(ControlPreamble.class);
    private static final LogThrottle refusedLog = new LogThrottle(Duration.ofSeconds(1));

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        ctx.writeAndFlush(Unpooled.wrappedBuffer(ControlFrames.preamble()));
        super.channelActive(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < ControlFrames.PREAMBLE_BYTES) {
            return;
        }
        byte[] preamble = new byte[ControlFrames.PREAMBLE_BYTES];
        in.readBytes(preamble);
        String digest = ControlFrames.peerDigest(preamble);
        if (ControlFrames.sameMessages(digest)) {
            // What follows, the request, goes to the frame decoder.
            ctx.pipeline().remove(this);
            return;
        }
        String who = digest == null
                ? "a client that does not speak Clutch's control protocol"
                : "a command of another Clutch version (its messages " + digest + ")";
        refusedLog.log(heldBack -> log.warn("control: refused {}: run commands with the launcher of the build this "
                + "master started from{}", who, LogThrottle.andMore(heldBack)));
        in.skipBytes(in.readableBytes());
        ctx.close();
    }
}
