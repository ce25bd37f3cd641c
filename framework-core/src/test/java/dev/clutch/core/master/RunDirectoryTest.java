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

    @Test
    void aParentAnotherUserCanChangeIsRefusedAndASharedOneWithTheStickyBitIsNot() throws IOException {
        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));

        IOException refused = assertThrows(IOException.class, () -> RunDirectory.prepare(open.resolve("run")));
        assertTrue(refused.getMessage().startsWith("run directory " + open.resolve("run") + ": " + open
                + " is writable by every user (mode 777, no sticky bit), so another user could put a run directory "
                + "of their own in its place"), refused.getMessage());

        Files.setAttribute(open, "unix:mode", 01777);
        RunDirectory.prepare(open.resolve("run"));
        // A client checks too before it trusts what answers there.
        RunDirectory.checkParents(open.resolve("run"));
    }

    @Test
    void aParentOfAnotherUserIsRefused() throws IOException {
        assumeTrue(IpcTransport.processUid() == 0, "needs root to give a directory to another user");
        Path theirs = Files.createDirectory(dir.resolve("theirs"));
        Files.setAttribute(theirs, "unix:uid", 65534);

        IOException refused = assertThrows(IOException.class, () -> RunDirectory.prepare(theirs.resolve("run")));
        assertTrue(refused.getMessage().contains(theirs + " belongs to uid 65534, so another user could put"),
                refused.getMessage());
    }
}
