package dev.clutch.core.ipc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clutch.core.api.Role;
import dev.clutch.core.message.Destination;
import dev.clutch.core.message.Envelope;
import dev.clutch.core.message.Hello;
import dev.clutch.core.message.ProcessReady;
import dev.clutch.core.message.Sender;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An authenticated child that sends something unroutable loses its connection; nothing reaches the master. */
class ConnectionHandlerTest {

    private final RecordingListener listener = new RecordingListener((to, run) -> {
        throw new AssertionError("nothing is forwarded here");
    });
    private final List<Envelope> received = listener.received;

    private EmbeddedChannel connection(Hello.ChannelKind kind) {
        EmbeddedChannel channel = new EmbeddedChannel();
        ChildConnection child = new ChildConnection(channel, new Sender(Role.WORKER, 1, 42), kind);
        channel.pipeline().addLast(new ConnectionHandler(child, listener));
        return channel;
    }

    @Test
    void envelopeIsStampedWithTheAuthenticatedSender() {
        EmbeddedChannel channel = connection(Hello.ChannelKind.MESSAGES);
        channel.writeInbound(new Envelope(new Sender(Role.AGENT, 0, 1), Destination.MASTER, new ProcessReady()));
        assertEquals(new Sender(Role.WORKER, 1, 42), received.get(0).sender());
        assertTrue(channel.isOpen());
    }

    @Test
    void envelopeWithoutDestinationOrBodyClosesTheConnection() {
        for (Envelope bad : List.of(new Envelope(null, null, new ProcessReady()),
                new Envelope(null, new Destination(null, 0), new ProcessReady()),
                new Envelope(null, Destination.MASTER, null),
                new Envelope(null, new Destination(Destination.Kind.PROCESS, 0), new ProcessReady()))) {
            EmbeddedChannel channel = connection(Hello.ChannelKind.MESSAGES);
            channel.writeInbound(bad);
            assertFalse(channel.isOpen(), bad.toString());
        }
        assertTrue(received.isEmpty());
    }

    @Test
    void messageOnADescriptorConnectionClosesIt() {
        EmbeddedChannel channel = connection(Hello.ChannelKind.DESCRIPTORS);
        channel.writeInbound(Envelope.toMaster(new ProcessReady()));
        assertFalse(channel.isOpen());
        assertTrue(received.isEmpty());
    }
}
