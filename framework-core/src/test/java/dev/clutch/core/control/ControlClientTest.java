package dev.clutch.core.control;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.clutch.core.ipc.IpcTransport;
import dev.clutch.core.message.ControlReply;
import dev.clutch.core.message.ControlRequest;
import dev.clutch.core.message.MessageRegistry;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlClientTest {

    @TempDir
    Path dir;

    @Test
    void theSocketOfAMasterThatIsGoneSaysNoInstanceRuns() throws IOException {
        Path socket = dir.resolve("control.sock");
        // What a master killed with -9 leaves: the socket's file, with no one listening.
        try (ServerSocketChannel gone = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            gone.bind(UnixDomainSocketAddress.of(socket));
        }
        assertTrue(Files.exists(socket));

        IOException e = assertThrows(IOException.class, () -> new ControlClient(socket, 64 * 1024)
                .send(new ControlRequest("status", new String[0]), Duration.ofSeconds(5)));

        assertTrue(e.getMessage().startsWith("no running instance: nothing listens on " + socket), e.getMessage());
    }

    @Test
    void aPidFileNamingALiveProcessButHeldByNoneMeansNoInstanceRuns() throws IOException {
        Path socket = dir.resolve("control.sock");
        // What a single-process run killed with -9 leaves: its pid in the file, and by now another process may
        // have that pid (here: this test's JVM, alive, which holds no lock on the file).
        Path pidFile = Files.writeString(dir.resolve("master.pid"), ProcessHandle.current().pid() + "\n");
        ControlClient client = new ControlClient(socket, 64 * 1024);

        IOException stale = assertThrows(IOException.class, () -> client.send(
                new ControlRequest("status", new String[0]), Duration.ofSeconds(5)));
        assertTrue(stale.getMessage().startsWith("no running instance: " + socket + " does not exist"),
                stale.getMessage());

        dev.clutch.core.lifecycle.PidFileLock held = dev.clutch.core.lifecycle.PidFileLock.take(pidFile, p -> p);
        try {
            IOException starting = assertThrows(IOException.class, () -> client.send(
                    new ControlRequest("status", new String[0]), Duration.ofSeconds(5)));
            assertTrue(starting.getMessage().contains("but pid " + ProcessHandle.current().pid() + " holds its run "
                    + "directory"), starting.getMessage());
        } finally {
            held.release();
        }
    }

    @Test
    void aMasterThatDoesNotAnswerInTimeIsReportedAsSuch() throws Exception {
        IOException e = againstPeer(connection -> {
            // Reads the request and keeps the connection open, answering nothing: a stopped master.
        }, Duration.ofMillis(300));

        assertTrue(e.getMessage().startsWith("no answer from the master within 300 ms: it is stopped or overloaded"),
                e.getMessage());
    }

    @Test
    void aReloadThatOutlastsItsTimeoutIsSaidToBeStillUnderWay() throws Exception {
        IOException e = againstPeer("reload", connection -> {
            // Reads the request and answers nothing yet: a master whose rolling reload is still going.
        }, Duration.ofMillis(300));

        assertTrue(e.getMessage().startsWith("no answer from the master within 300 ms: the reload may still be under "
                + "way (follow it with status or logs; --timeout S waits longer)"), e.getMessage());
    }

    @Test
    void aMasterThatClosesWithoutAnsweringIsReportedAsSuch() throws Exception {
        IOException e = againstPeer(ControlClientTest::close, Duration.ofSeconds(10));

        assertTrue(e.getMessage().startsWith("the master closed the control connection without answering"),
                e.getMessage());
    }

    @Test
    void anAnswerThatIsNotAReplyIsRefusedNotRead() throws Exception {
        IOException e = againstPeer(connection -> write(connection, withPreamble(ControlFrames.preamble(),
                ByteBuffer.allocate(8).putInt(4).putInt(-1).array())), Duration.ofSeconds(10));

        assertTrue(e.getMessage().startsWith("cannot read the master's answer"), e.getMessage());
        IOException huge = againstPeer(connection -> write(connection, withPreamble(ControlFrames.preamble(),
                ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE).array())), Duration.ofSeconds(10));
        assertTrue(huge.getMessage().startsWith("cannot read the master's answer: a frame of 2147483647 bytes"),
                huge.getMessage());
    }

    @Test
    void aMasterOfAnotherClutchVersionIsNamedWithWhatToDo() throws Exception {
        Files.writeString(dir.resolve("master.pid"), "4242\n");
        byte[] theirs = "clutch-control 0123456789abcdef01234567\n".getBytes(StandardCharsets.US_ASCII);

        IOException e = againstPeer(connection -> write(connection, ByteBuffer.wrap(theirs)), Duration.ofSeconds(10));

        assertTrue(e.getMessage().startsWith("the master (pid 4242) runs another version of Clutch than this command: "
                + "their messages differ (the master's 0123456789abcdef01234567, this command's "
                + MessageRegistry.framework().digest() + "), and it did nothing."), e.getMessage());
        assertTrue(e.getMessage().contains("kill -TERM 4242"), e.getMessage());
    }

    @Test
    void aPeerThatIsNoClutchMasterIsNamed() throws Exception {
        IOException e = againstPeer(connection -> write(connection, ByteBuffer.wrap(
                "SSH-2.0-OpenSSH_9.6\r\n".repeat(3).getBytes(StandardCharsets.US_ASCII))), Duration.ofSeconds(10));

        assertTrue(e.getMessage().startsWith("cannot read the master's answer: "), e.getMessage());
        assertTrue(e.getMessage().contains("does not answer as a Clutch master does"), e.getMessage());
    }

    @Test
    void aRunDirectoryOfAnotherUserIsNotTrustedWithACommand() throws Exception {
        // Only root can give a directory away; others cannot make this case.
        assumeTrue(IpcTransport.processUid() == 0, "needs root to give a directory to another user");
        Path theirs = Files.createDirectory(dir.resolve("theirs"));
        Path socket = theirs.resolve("control.sock");
        try (ServerSocketChannel listening = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listening.bind(UnixDomainSocketAddress.of(socket));
            Files.setAttribute(theirs, "unix:uid", 65534);

            IOException e = assertThrows(IOException.class, () -> new ControlClient(socket, 64 * 1024)
                    .send(new ControlRequest("stop", new String[0]), Duration.ofSeconds(5)));

            assertTrue(e.getMessage().startsWith("run directory " + theirs + " belongs to uid 65534, not to this user "
                    + "(uid 0): its sockets could be that user's"), e.getMessage());
        }
    }

    private static ByteBuffer withPreamble(byte[] preamble, byte[] rest) {
        return ByteBuffer.allocate(preamble.length + rest.length).put(preamble).put(rest).flip();
    }

    private IOException againstPeer(Consumer<SocketChannel> peer, Duration timeout) throws Exception {
        return againstPeer("status", peer, timeout);
    }

    /** Sends {@code command} to a peer that accepts one connection and does {@code peer} with it. */
    private IOException againstPeer(String command, Consumer<SocketChannel> peer, Duration timeout) throws Exception {
        Path socket = dir.resolve("peer-" + System.nanoTime() + ".sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            CompletableFuture<SocketChannel> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    SocketChannel connection = server.accept();
                    connection.read(ByteBuffer.allocate(1024));
                    peer.accept(connection);
                    return connection;
                } catch (IOException ex) {
                    throw new IllegalStateException(ex);
                }
            });
            try {
                return assertThrows(IOException.class, () -> {
                    ControlReply reply = new ControlClient(socket, 64 * 1024).send(
                            new ControlRequest(command, new String[0]), timeout);
                    throw new AssertionError("answered: " + reply.text());
                });
            } finally {
                close(accepted.get(10, TimeUnit.SECONDS));
            }
        }
    }

    private static void write(SocketChannel connection, ByteBuffer bytes) {
        try {
            connection.write(bytes);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void close(SocketChannel connection) {
        try {
            connection.close();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
