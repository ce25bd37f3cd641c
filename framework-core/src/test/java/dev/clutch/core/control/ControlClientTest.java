package dev.clutch.core.control;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clutch.core.message.ControlRequest;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
}
