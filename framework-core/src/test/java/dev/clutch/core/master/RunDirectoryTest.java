package dev.clutch.core.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.clutch.core.ipc.IpcTransport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunDirectoryTest {

    @TempDir
    Path dir;

    @Test
    void anOpenRunDirectoryOfThisUserIsMadeOwnerOnly() throws IOException {
        Path run = Files.createDirectory(dir.resolve("run"));
        Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxrwxrwx"));

        RunDirectory.prepare(run);

        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(run)));
    }

    @Test
    void aRunDirectoryOfAnotherUserIsRefused() throws IOException {
        // Only root can give a directory away; others cannot make this case.
        assumeTrue(IpcTransport.processUid() == 0, "needs root to give a directory to another user");
        Path run = Files.createDirectory(dir.resolve("run"));
        Files.setAttribute(run, "unix:uid", 65534);

        IOException refused = assertThrows(IOException.class, () -> RunDirectory.prepare(run));

        assertTrue(refused.getMessage().startsWith("run directory " + run + " belongs to uid 65534, not to this user "
                + "(uid 0): give this instance a run directory of its own (clutch.runDir)"), refused.getMessage());
    }
}
