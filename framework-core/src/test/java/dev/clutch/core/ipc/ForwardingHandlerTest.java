package dev.clutch.core.ipc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.Kryo;
import dev.clutch.core.api.Role;
import dev.clutch.core.message.AppMessage;
import dev.clutch.core.message.Destination;
import dev.clutch.core.message.Envelope;
import dev.clutch.core.message.Hello;
import dev.clutch.core.message.MessageRegistry;
import dev.clutch.core.message.ProcessReady;
import dev.clutch.core.message.Sender;
import dev.clutch.core.message.StopRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The master's forwarding: runs of frames per destination, senders stamped, bodies unread. */
class ForwardingHandlerTest {

    private static final Sender WORKER = new Sender(Role.WORKER, 2, 4242);
    private final Kryo kryo = MessageRegistry.framework().newKryo();
    private final List<String> forwarded = new ArrayList<>();
    private final RecordingListener listener = new RecordingListener((to, run) -> {
        List<String> actions = new ArrayList<>();
        for (ByteBuf frame : EnvelopeFrames.split(run.frames())) {
            Envelope envelope = EnvelopeFrames.read(kryo, frame);
            assertEquals(WORKER, envelope.sender(), "stamped with the authenticated sender");
            assertEquals(to, envelope.destination());
            actions.add(((AppMessage) envelope.body()).action());
        }
        assertEquals(run.count(), actions.size());
        forwarded.add(to.kind() + ":" + String.join(",", actions));
    });
    private final List<Envelope> received = listener.received;

    private EmbeddedChannel master() {
        EmbeddedChannel channel = new EmbeddedChannel();
        ChildConnection child = new ChildConnection(channel, WORKER, Hello.ChannelKind.MESSAGES);
        ForwardingHandler forwarding = new ForwardingHandler(child, listener, MessageRegistry.framework());
        FrameDecoder frames = new FrameDecoder(1024);
        frames.joinRuns(forwarding);
        channel.pipeline().addLast(frames, forwarding, new KryoDecoder(MessageRegistry.framework()),
                new ConnectionHandler(child, listener));
        return channel;
    }

    /** What a child writes: every message encoded, one after another in one buffer, as one read brings them. */
    private static ByteBuf wire(Envelope... envelopes) {
        EmbeddedChannel writer = new EmbeddedChannel(new KryoEncoder(MessageRegistry.framework(), 1024));
        ByteBuf bytes = Unpooled.buffer();
        for (Envelope envelope : envelopes) {
            writer.writeOutbound(envelope);
            ByteBuf frame = writer.readOutbound();
            bytes.writeBytes(frame);
            frame.release();
        }
        return bytes;
    }

    private static Envelope app(Destination to, String action) {
        // A child cannot speak for another process: whatever sender it writes is overwritten.
        return new Envelope(new Sender(Role.AGENT, 0, 1), to, new AppMessage(AppMessage.Kind.SEND, action,
                new byte[] {1, 2, 3}, 0));
    }

    @Test
    void consecutiveMessagesForOneDestinationLeaveAsOneRunInOrder() {
        EmbeddedChannel channel = master();
        channel.writeInbound(wire(app(Destination.WORKERS, "a"), app(Destination.WORKERS, "b"),
                app(Destination.process(7), "c"), Envelope.toMaster(new ProcessReady()),
                app(Destination.RANDOM_WORKER, "d"), app(Destination.RANDOM_WORKER, "e"),
                app(Destination.WORKERS, "f"), app(Destination.WORKERS, "g"), app(Destination.WORKERS, "h")));

        assertEquals(List.of("WORKERS:a,b", "PROCESS:c", "RANDOM_WORKER:d", "RANDOM_WORKER:e", "WORKERS:f,g,h"),
                forwarded, "a random worker is drawn per message");
        assertEquals(1, received.size(), "the master's own message is decoded for it");
        assertEquals(WORKER, received.get(0).sender());
        assertTrue(channel.isOpen());
    }

    @Test
    void aRunSplitAcrossReadsIsForwardedWithoutLosingAFrame() {
        EmbeddedChannel channel = master();
        ByteBuf bytes = wire(app(Destination.AGENT, "a"), app(Destination.AGENT, "b"), app(Destination.AGENT, "c"));
        while (bytes.isReadable()) {
            channel.writeInbound(bytes.readRetainedSlice(Math.min(7, bytes.readableBytes())));
        }
        bytes.release();

        assertEquals("a,b,c", String.join(",", forwarded.stream().map(f -> f.substring(f.indexOf(':') + 1))
                .toList()));
    }

    @Test
    void aFrameworkMessageForAnotherProcessClosesTheConnection() {
        EmbeddedChannel channel = master();
        channel.writeInbound(wire(new Envelope(null, Destination.process(7), new StopRequest(1))));

        assertFalse(channel.isOpen(), "a child may not send framework messages to others");
        assertTrue(forwarded.isEmpty());
    }

    @Test
    void requestsAndRepliesAreToldApartByTheirFirstBytesWithEveryCorrelationSize() {
        List<String> found = new ArrayList<>();
        List<Envelope> sent = new ArrayList<>();
        sent.add(app(Destination.AGENT, "send"));
        for (long correlation : new long[] {1, 127, 128, 300_000, 1L << 35, Long.MAX_VALUE}) {
            sent.add(new Envelope(null, Destination.AGENT, new AppMessage(AppMessage.Kind.REQUEST, "q", new byte[3],
                    correlation)));
        }
        sent.add(new Envelope(null, Destination.process(9), new AppMessage(AppMessage.Kind.REPLY, "q", new byte[0],
                42)));
        sent.add(new Envelope(null, Destination.process(9), new AppMessage(AppMessage.Kind.REPLY_FAILED, "q",
                new byte[0], 43)));
        ByteBuf run = wire(sent.toArray(Envelope[]::new));

        EnvelopeFrames.forEachRequestOrReply(run, (kind, correlation) -> found.add(kind + ":" + correlation));

        assertEquals(List.of("REQUEST:1", "REQUEST:127", "REQUEST:128", "REQUEST:300000", "REQUEST:" + (1L << 35),
                "REQUEST:" + Long.MAX_VALUE, "REPLY:42", "REPLY_FAILED:43"), found, "sends are not requests");
        run.release();
    }

    @Test
    void aFrameCutInsideItsCorrelationIsSkipped() {
        ByteBuf frame = wire(new Envelope(null, Destination.AGENT, new AppMessage(AppMessage.Kind.REQUEST, "",
                new byte[0], Long.MAX_VALUE)));
        int cut = EnvelopeFrames.HEADER_BYTES + 1 + 1 + 4;
        ByteBuf truncated = Unpooled.buffer().writeInt(cut).writeBytes(frame, Integer.BYTES, cut);
        List<Long> found = new ArrayList<>();

        EnvelopeFrames.forEachRequestOrReply(truncated, (kind, correlation) -> found.add(correlation));

        assertTrue(found.isEmpty(), found.toString());
        frame.release();
    }
}
