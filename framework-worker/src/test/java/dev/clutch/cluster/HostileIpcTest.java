package dev.clutch.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import dev.clutch.core.api.PayloadType;
import dev.clutch.core.api.Role;
import dev.clutch.core.ipc.IpcPipeline;
import dev.clutch.core.message.ControlReply;
import dev.clutch.core.message.ControlRequest;
import dev.clutch.core.message.Hello;
import dev.clutch.core.message.MessageRegistry;
import dev.clutch.core.message.PayloadCodec;
import dev.clutch.core.testing.ClusterProcess;
import dev.clutch.core.testing.Http;
import dev.clutch.core.testing.RawHttp;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whoever can reach the IPC socket and whatever they send, the master refuses it, logs who tried, and the cluster
 * keeps serving.
 */
class HostileIpcTest {

    private static final long OWN_PID = ProcessHandle.current().pid();
    private static final int MAX_FRAME = 1024 * 1024;
    private static final String CONTROL_SOCKET = "run/control.sock";
    /** The test application's payload types as its processes describe them at hello. */
    private static final String[] PAYLOAD_TYPES = PayloadCodec.of(List.of(PayloadType.of(1001,
            TestApp.Greeting.class)), 1 << 20).describe();

    @TempDir
    static Path baseDir;
    static ClusterProcess cluster;
    static ClusterProcess.Ready ready;

    @BeforeAll
    static void startCluster() throws IOException {
        cluster = ClusterScenarios.testApp(baseDir, 2)
                .property("clutch.ipc.helloTimeout", "1s")
                .property("clutch.ipc.maxFrameBytes", Integer.toString(MAX_FRAME))
                .start();
        ready = cluster.awaitReady(Duration.ofSeconds(60));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @AfterEach
    void clusterStillServes() throws Exception {
        assertTrue(cluster.process().isAlive(), "the master survived");
        for (int i = 0; i < 4; i++) {
            assertEquals(200, Http.get(ready.url("/_clutch/health")).statusCode());
        }
        assertEquals(3, cluster.livePids().size() - 1, "agent and both workers still run");
    }

    @Test
    void connectionThatSendsNoHelloIsClosedAfterTheHelloTimeout() throws Exception {
        try (SocketChannel socket = connect()) {
            awaitClosedBy(socket, "sent no hello within 1000 ms");
        }
    }

    @Test
    void garbageBytesAreRefused() throws Exception {
        byte[] garbage = new byte[64];
        new Random(42).nextBytes(garbage);
        try (SocketChannel socket = connect()) {
            socket.write(frame(garbage));
            awaitClosedBy(socket, "refused connection from pid " + OWN_PID + " (uid");
        }
    }

    @Test
    void frameOverTheHelloLimitIsRefusedBeforeItIsBuffered() throws Exception {
        try (SocketChannel socket = connect()) {
            int overHelloLimit = IpcPipeline.HELLO_MAX_FRAME_BYTES + 1;
            socket.write(ByteBuffer.allocate(4).putInt(0, overHelloLimit));
            // Before authenticating, a peer may not even send a frame of the full size.
            awaitClosedBy(socket, "an oversized frame (frame of " + overHelloLimit + " bytes, limit "
                    + IpcPipeline.HELLO_MAX_FRAME_BYTES);
        }
    }

    @Test
    void unregisteredTypeIsRefusedWithoutBeingInstantiated() throws Exception {
        Output body = new Output(16);
        body.writeVarInt(500 + 2, true); // Kryo writes a registered class as its ID + 2.
        try (SocketChannel socket = connect()) {
            socket.write(frame(body.toBytes()));
            awaitClosedBy(socket, "Encountered unregistered class ID: 500");
        }
    }

    @Test
    void helloWithAForgedTokenIsRefused() throws Exception {
        Hello forged = new Hello("0".repeat(64), Role.WORKER, 1, OWN_PID, Hello.ChannelKind.MESSAGES,
                MessageRegistry.framework().digest(), PAYLOAD_TYPES);
        try (SocketChannel socket = connect()) {
            socket.write(frame(encode(forged)));
            awaitClosedBy(socket, "presented an unknown or spent token as worker");
        }
    }

    @Test
    void helloThatLiesAboutItsPidIsRefused() throws Exception {
        Hello lying = new Hello("0".repeat(64), Role.AGENT, 0, ready.agentPid(), Hello.ChannelKind.MESSAGES,
                MessageRegistry.framework().digest(), PAYLOAD_TYPES);
        try (SocketChannel socket = connect()) {
            socket.write(frame(encode(lying)));
            awaitClosedBy(socket, "claims pid " + ready.agentPid());
        }
    }

    @Test
    void hugeDeclaredStringLengthIsRefusedWithoutAllocatingIt() throws Exception {
        Hello hello = new Hello("TOKEN", Role.WORKER, 1, OWN_PID, Hello.ChannelKind.MESSAGES,
                MessageRegistry.framework().digest(), PAYLOAD_TYPES);
        byte[] honest = encode(hello);
        // The token is written as its length + 1, then its bytes: make it claim 2 GiB in a tiny frame.
        int at = indexOf(honest, new byte[] {6, 'T', 'O', 'K', 'E', 'N'});
        byte[] forged = new byte[honest.length + 4];
        System.arraycopy(honest, 0, forged, 0, at);
        Output huge = new Output(5);
        huge.writeVarInt(Integer.MAX_VALUE, true);
        System.arraycopy(huge.toBytes(), 0, forged, at, 5);
        System.arraycopy(honest, at + 1, forged, at + 5, honest.length - at - 1);
        try (SocketChannel socket = connect()) {
            socket.write(frame(forged));
            awaitClosedBy(socket, "string claims length " + (Integer.MAX_VALUE - 1));
        }
    }

    @Test
    void aFloodOfConnectionsThatNeverSayHelloDoesNotKeepOutANewWorker() throws Exception {
        AtomicBoolean flooding = new AtomicBoolean(true);
        List<SocketChannel> flood = new CopyOnWriteArrayList<>();
        // More than the master lets wait to authenticate, renewed as the hello timeout closes them.
        Thread flooder = new Thread(() -> {
            while (flooding.get()) {
                flood.removeIf(socket -> !isOpen(socket));
                while (flooding.get() && flood.size() < 80) {
                    try {
                        flood.add(connect());
                    } catch (IOException e) {
                        break;
                    }
                }
                LockSupport.parkNanos(20_000_000);
            }
        }, "ipc-flood");
        flooder.start();
        try {
            cluster.awaitLine("is one connection too many", Duration.ofSeconds(10));
            long victim = livePid("/pid");
            ProcessHandle.of(victim).orElseThrow().destroyForcibly();
            await("a replacement worker says hello through the flood and serves").atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> replacementReady(victim) && cluster.livePids().size() == 4);
        } finally {
            flooding.set(false);
            flooder.join(10_000);
            for (SocketChannel socket : flood) {
                socket.close();
            }
        }
    }

    /** Whether the master logged a worker ready after {@code victim} was killed. */
    private static boolean replacementReady(long victim) {
        List<String> lines = cluster.lines();
        int killed = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("(pid " + victim + ")") && lines.get(i).contains("exited")) {
                killed = i;
            }
        }
        for (int i = killed + 1; killed >= 0 && i < lines.size(); i++) {
            if (lines.get(i).contains(" is ready in ")) {
                return true;
            }
        }
        return false;
    }

    private static long livePid(String path) throws IOException {
        return Long.parseLong(RawHttp.get(ready.port(), path).body().trim());
    }

    private static boolean isOpen(SocketChannel socket) {
        try {
            return socket.read(ByteBuffer.allocate(16)) >= 0;
        } catch (IOException closed) {
            return false;
        }
    }

    @Test
    void controlConnectionThatSendsNoCommandIsAnsweredAndClosed() throws Exception {
        try (SocketChannel socket = controlConnect()) {
            assertEquals("no request within 1000 ms of connecting", awaitReply(socket).text());
        }
        cluster.awaitLine("control: a client sent no request within 1000 ms of connecting", Duration.ofSeconds(5));
    }

    @Test
    void malformedControlRequestsAreAnsweredWithWhatIsWrong() throws Exception {
        try (SocketChannel socket = controlConnect()) {
            socket.write(frame(encode(new ControlRequest(null, new String[0]))));
            assertEquals("a client sent a control request without a command", awaitReply(socket).text());
        }
        try (SocketChannel socket = controlConnect()) {
            socket.write(frame(encode(new ControlRequest("scale", new String[] {null}))));
            assertEquals("a client sent 'scale' with a null argument", awaitReply(socket).text());
        }
        try (SocketChannel socket = controlConnect()) {
            socket.write(frame(encode(new ControlReply(true, "not a request", ""))));
            assertEquals("a client sent a ControlReply instead of a control request", awaitReply(socket).text());
        }
    }

    @Test
    void aCommandOfAnotherClutchVersionIsClosedWithItsRequestUnread() throws Exception {
        try (SocketChannel socket = connect(CONTROL_SOCKET)) {
            byte[] otherVersion = "clutch-control 0123456789abcdef01234567\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            ByteBuffer stop = frame(encode(new ControlRequest("stop", new String[0])));
            // In one write, as a command sends them: the master closes the connection as soon as it has the preamble.
            socket.write(ByteBuffer.allocate(otherVersion.length + stop.remaining()).put(otherVersion).put(stop)
                    .flip());
            awaitClosedBy(socket, "control: refused a command of another Clutch version (its messages "
                    + "0123456789abcdef01234567)");
        }
        try (SocketChannel socket = controlConnect()) {
            socket.write(frame(encode(new ControlRequest("status", new String[0]))));
            assertTrue(awaitReply(socket).ok(), "the stop was not carried out: the master still answers");
        }
    }

    @Test
    void controlConnectionsPastTheLimitAreTurnedAway() throws Exception {
        List<SocketChannel> open = new ArrayList<>();
        try {
            // Each one waits for an answer that never comes (the agent holds 'hang' requests), so they stay open
            // however slowly they are made.
            byte[] noPayload = java.util.Base64.getEncoder().encode(dev.clutch.core.message.PayloadCodec.of(
                    List.of(), MAX_FRAME).write(null));
            ControlRequest hang = new ControlRequest("message", new String[] {"agent", "hang", "request", "60000",
                    new String(noPayload, java.nio.charset.StandardCharsets.US_ASCII)});
            for (int i = 0; i < 256; i++) {
                SocketChannel socket = controlConnect();
                open.add(socket);
                socket.write(frame(encode(hang)));
            }
            try (SocketChannel oneTooMany = controlConnect()) {
                assertTrue(awaitReply(oneTooMany).text().startsWith("the master has 256 control connections open "
                        + "already"));
            }
        } finally {
            for (SocketChannel socket : open) {
                socket.close();
            }
        }
        cluster.awaitLine("control: refused a connection: 256 are open already", Duration.ofSeconds(5));
        // Room again once those are gone.
        await("a command is answered again").atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
            try (SocketChannel socket = controlConnect()) {
                socket.write(frame(encode(new ControlRequest("status", new String[0]))));
                return awaitReply(socket).ok();
            }
        });
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (java.util.Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new AssertionError("token not found in the encoded hello");
    }

    /** A connection to the control socket that has sent this build's preamble, as every command does first. */
    private static SocketChannel controlConnect() throws IOException {
        SocketChannel socket = connect(CONTROL_SOCKET);
        socket.write(ByteBuffer.wrap(("clutch-control " + MessageRegistry.framework().digest() + "\n")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        return socket;
    }

    private static SocketChannel connect() throws IOException {
        return connect("run/ipc.sock");
    }

    private static SocketChannel connect(String socketInBaseDir) throws IOException {
        SocketChannel socket = SocketChannel.open(StandardProtocolFamily.UNIX);
        socket.connect(UnixDomainSocketAddress.of(baseDir.resolve(socketInBaseDir)));
        socket.configureBlocking(false);
        return socket;
    }

    private static ByteBuffer frame(byte[] body) {
        ByteBuffer buffer = ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body);
        return buffer.flip();
    }

    private static byte[] encode(Object message) {
        Kryo kryo = MessageRegistry.framework().newKryo();
        Output output = new Output(256, MAX_FRAME);
        kryo.writeClassAndObject(output, message);
        return output.toBytes();
    }

    /** The one reply the master sends on a control connection before it closes it. */
    private static ControlReply awaitReply(SocketChannel socket) {
        ByteBuffer received = ByteBuffer.allocate(64 * 1024);
        await("the master answers and closes").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    try {
                        return socket.read(received) < 0;
                    } catch (IOException reset) {
                        // A master that answers before reading (too many connections) closes with our preamble
                        // unread: the kernel then ends the stream with a reset, after the answer.
                        return true;
                    }
                });
        received.flip();
        // The master's preamble comes first: "clutch-control ", its digest, a newline.
        received.position(40);
        int length = received.getInt();
        byte[] body = new byte[length];
        received.get(body);
        return (ControlReply) MessageRegistry.framework().newKryo().readClassAndObject(new Input(body));
    }

    /** Waits until the master closed the connection and logged why. */
    private static void awaitClosedBy(SocketChannel socket, String logged) {
        ByteBuffer sink = ByteBuffer.allocate(1024);
        await("master closes the connection").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    sink.clear();
                    try {
                        return socket.read(sink) < 0;
                    } catch (IOException reset) {
                        return true;
                    }
                });
        cluster.awaitLine(logged, Duration.ofSeconds(5));
    }
}
