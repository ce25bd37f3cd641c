package dev.clutch.core.control;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.esotericsoftware.kryo.io.Output;
import dev.clutch.core.ipc.IpcTransport;
import dev.clutch.core.message.ControlReply;
import dev.clutch.core.message.ControlRequest;
import dev.clutch.core.message.MessageRegistry;
import io.netty.channel.EventLoopGroup;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlServerTest {

    @TempDir
    Path dir;

    private final List<String> commands = new CopyOnWriteArrayList<>();
    private EventLoopGroup group;
    private ControlServer server;
    private Path socket;

    @BeforeEach
    void start() throws IOException {
        IpcTransport transport = IpcTransport.detect();
        group = transport.newGroup(1, "control-test");
        socket = dir.resolve("control.sock");
        server = ControlServer.start(transport, group, socket, 64 * 1024, Duration.ofSeconds(5), command -> {
            commands.add(command.request().command());
            command.reply().accept(new ControlReply(true, "done: " + command.request().command(), ""));
        });
    }

    @AfterEach
    void stop() {
        server.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void aCommandOfThisBuildIsCarriedOutAndAnswered() throws IOException {
        ControlReply reply = new ControlClient(socket, 64 * 1024).send(new ControlRequest("status", new String[0]),
                Duration.ofSeconds(10));

        assertEquals("done: status", reply.text());
        assertEquals(List.of("status"), commands);
    }

    @Test
    void aCommandOfAnotherClutchVersionIsClosedBeforeItsRequestIsRead() {
        byte[] theirs = "clutch-control 0123456789abcdef01234567\n".getBytes(StandardCharsets.US_ASCII);
        byte[] answer = exchange(theirs);

        // The master's preamble, so that the command can say which version it met; then nothing but the close.
        assertArrayEquals(ControlFrames.preamble(), answer);
        assertEquals(List.of(), commands);
    }

    @Test
    void aClientThatDoesNotSpeakTheProtocolIsClosed() {
        byte[] answer = exchange("GET / HTTP/1.1\r\nHost: x\r\n\r\n-------".getBytes(StandardCharsets.US_ASCII));

        assertArrayEquals(ControlFrames.preamble(), answer);
        assertEquals(List.of(), commands);
    }

    /** Sends {@code preamble} and then a well-formed {@code stop}; returns all the master sent until it closed. */
    private byte[] exchange(byte[] preamble) {
        return assertTimeoutPreemptively(Duration.ofSeconds(10), () -> exchangeUntilClosed(preamble),
                "the master kept the connection open");
    }

    private byte[] exchangeUntilClosed(byte[] preamble) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            byte[] request = requestFrame();
            channel.write(ByteBuffer.allocate(preamble.length + request.length).put(preamble).put(request).flip());
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(4096);
            while (channel.read(buffer.clear()) >= 0) {
                received.write(buffer.array(), 0, buffer.position());
            }
            return received.toByteArray();
        }
    }

    /** A {@code stop} request as this build frames it: a 4-byte length, then Kryo. */
    private static byte[] requestFrame() {
        Output output = new Output(256);
        MessageRegistry.framework().newKryo().writeClassAndObject(output, new ControlRequest("stop", new String[0]));
        return ByteBuffer.allocate(Integer.BYTES + output.position()).putInt(output.position())
                .put(output.getBuffer(), 0, output.position()).array();
    }
}
