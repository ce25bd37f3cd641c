package dev.clutch.core.ipc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clutch.core.api.Role;
import dev.clutch.core.message.ClusterReady;
import dev.clutch.core.message.Destination;
import dev.clutch.core.message.Envelope;
import dev.clutch.core.message.Hello;
import dev.clutch.core.message.MessageRegistry;
import dev.clutch.core.message.ProcessReady;
import dev.clutch.core.message.Sender;
import dev.clutch.core.message.StopRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import java.util.Date;
import org.junit.jupiter.api.Test;

class IpcCodecTest {

    private static final int MAX_FRAME = 1024;

    private static EmbeddedChannel channel() {
        EmbeddedChannel channel = new EmbeddedChannel();
        IpcPipeline.addCodec(channel.pipeline(), MessageRegistry.framework(), MAX_FRAME);
        return channel;
    }

    /** Writes {@code message} through one channel and reads it back through another. */
    private static Object roundTrip(Object message) {
        EmbeddedChannel writer = channel();
        assertTrue(writer.writeOutbound(message));
        EmbeddedChannel reader = channel();
        for (Object chunk = writer.readOutbound(); chunk != null; chunk = writer.readOutbound()) {
            reader.writeInbound(chunk);
        }
        return reader.readInbound();
    }

    @Test
    void everyFrameworkMessageSurvivesTheWire() {
        Hello hello = new Hello("t0ken", Role.WORKER, 3, 4242, Hello.ChannelKind.DESCRIPTORS, "digest",
                new String[] {"1001=a.B"});
        Hello read = (Hello) roundTrip(hello);
        assertEquals(hello.toString(), read.toString());
        assertEquals("t0ken", read.token());
        assertArrayEquals(new String[] {"1001=a.B"}, read.payloadTypes());
        Envelope envelope = new Envelope(new Sender(Role.AGENT, 0, 7), Destination.process(99),
                new StopRequest(5000));
        assertEquals(envelope, roundTrip(envelope));
        assertInstanceOf(ProcessReady.class, ((Envelope) roundTrip(Envelope.toMaster(new ProcessReady()))).body());
        ClusterReady ready = (ClusterReady) ((Envelope) roundTrip(Envelope.toMaster(
                new ClusterReady(1, new long[] {2, 3}, "http://127.0.0.1:1")))).body();
        assertArrayEquals(new long[] {2, 3}, ready.workerPids());
        assertEquals("http://127.0.0.1:1", ready.url());
    }

    @Test
    void framesReadWithTheHelloAreMeasuredAgainstTheLimitItsAuthenticationSets() {
        // As the master's connections start: a small limit, raised by whoever reads the first frame.
        EmbeddedChannel master = new EmbeddedChannel();
        FrameDecoder decoder = new FrameDecoder(64);
        decoder.oneFrameUntilLimitRaised();
        master.pipeline().addLast(decoder, new io.netty.channel.ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                decoder.limit(MAX_FRAME);
                ctx.fireChannelRead(msg);
            }
        });
        ByteBuf oneRead = Unpooled.buffer();
        oneRead.writeInt(10).writeZero(10);
        oneRead.writeInt(500).writeZero(500);

        master.writeInbound(oneRead);

        ByteBuf hello = master.readInbound();
        ByteBuf next = master.readInbound();
        assertEquals(14, hello.readableBytes());
        assertEquals(504, next.readableBytes());
        hello.release();
        next.release();
    }

    @Test
    void helloNamingAThousandPayloadTypesFitsBeforeAuthentication() {
        String[] types = new String[1000];
        for (int i = 0; i < types.length; i++) {
            types[i] = (1000 + i) + "=com.example.orders.events.OrderLineChanged" + i;
        }
        EmbeddedChannel writer = new EmbeddedChannel();
        IpcPipeline.addCodec(writer.pipeline(), MessageRegistry.framework(), 1 << 20);
        assertTrue(writer.writeOutbound(new Hello("t0ken", Role.WORKER, 1, 42, Hello.ChannelKind.MESSAGES,
                "digest", types)));
        EmbeddedChannel master = new EmbeddedChannel();
        IpcPipeline.addCodec(master.pipeline(), MessageRegistry.framework(), IpcPipeline.HELLO_MAX_FRAME_BYTES,
                1 << 20);
        for (Object chunk = writer.readOutbound(); chunk != null; chunk = writer.readOutbound()) {
            master.writeInbound(chunk);
        }
        assertArrayEquals(types, ((Hello) master.readInbound()).payloadTypes());
    }

    @Test
    void frameArrivingOneByteAtATimeIsReassembled() {
        EmbeddedChannel writer = channel();
        writer.writeOutbound(new StopRequest(10));
        ByteBuf bytes = Unpooled.buffer();
        for (Object chunk = writer.readOutbound(); chunk != null; chunk = writer.readOutbound()) {
            bytes.writeBytes((ByteBuf) chunk);
            ((ByteBuf) chunk).release();
        }
        EmbeddedChannel reader = channel();
        while (bytes.isReadable()) {
            reader.writeInbound(bytes.readRetainedSlice(1));
        }
        bytes.release();
        assertEquals(new StopRequest(10), reader.readInbound());
    }

    @Test
    void garbageIsAMalformedFrame() {
        EmbeddedChannel reader = channel();
        ByteBuf frame = Unpooled.buffer().writeInt(5).writeBytes(new byte[] {(byte) 0xF6, 0x03, 1, 2, 3});
        assertThrows(MalformedFrameException.class, () -> reader.writeInbound(frame));
    }

    @Test
    void bytesAfterTheMessageMakeAMalformedFrame() {
        EmbeddedChannel writer = channel();
        writer.writeOutbound(new StopRequest(10));
        ByteBuf encoded = Unpooled.buffer();
        for (Object chunk = writer.readOutbound(); chunk != null; chunk = writer.readOutbound()) {
            encoded.writeBytes((ByteBuf) chunk);
            ((ByteBuf) chunk).release();
        }
        int length = encoded.readInt();
        ByteBuf padded = Unpooled.buffer().writeInt(length + 1).writeBytes(encoded).writeByte(0);
        encoded.release();
        MalformedFrameException e = assertThrows(MalformedFrameException.class, () -> channel().writeInbound(padded));
        assertTrue(e.getMessage().contains("1 bytes after its message"), e.getMessage());
    }

    @Test
    void messageOfExactlyTheLimitIsAccepted() {
        EmbeddedChannel reader = channel();
        ByteBuf frame = Unpooled.buffer().writeInt(MAX_FRAME).writeBytes(new byte[MAX_FRAME]);
        // Not a valid message, but a legal frame: it reaches the message decoder.
        assertThrows(MalformedFrameException.class, () -> reader.writeInbound(frame));
    }

    @Test
    void aNegativeLengthIsACorruptStreamNotAnOversizedFrame() {
        ByteBuf frame = Unpooled.buffer().writeInt(-1).writeBytes(new byte[8]);
        MalformedFrameException refused = assertThrows(MalformedFrameException.class,
                () -> channel().writeInbound(frame));
        assertEquals("a corrupt length prefix (-1)", refused.getMessage());
    }

    @Test
    void frameOverTheLimitIsRefusedByTheReader() {
        ByteBuf frame = Unpooled.buffer().writeInt(MAX_FRAME + 1).writeBytes(new byte[MAX_FRAME + 1]);
        assertThrows(TooLongFrameException.class, () -> channel().writeInbound(frame));
    }

    @Test
    void messageOverTheLimitIsNotSentAndTheChannelStaysUsable() {
        EmbeddedChannel writer = channel();
        ChannelFuture tooBig = writer.writeOneOutbound(Envelope.toMaster(new byte[MAX_FRAME * 2]));
        writer.flushOutbound();
        assertFalse(tooBig.isSuccess());
        assertInstanceOf(FrameTooLargeException.class, tooBig.cause());
        assertTrue(tooBig.cause().getMessage().contains("larger than clutch.ipc.maxFrameBytes (1024 bytes)"));
        assertTrue(writer.writeOutbound(new StopRequest(1)));
        assertTrue(writer.isActive());
    }

    @Test
    void unregisteredPayloadFailsAtTheSender() {
        EmbeddedChannel writer = channel();
        ChannelFuture write = writer.writeOneOutbound(Envelope.toMaster(new Date()));
        writer.flushOutbound();
        assertFalse(write.isSuccess());
        assertTrue(write.cause().getMessage().contains("Class is not registered: java.util.Date"),
                write.cause().getMessage());
    }
}
