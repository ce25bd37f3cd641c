package dev.clutch.core.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PidFileLockTest {

    @TempDir
    Path dir;

    @Test
    void takesTheLockAndWritesThePid() throws IOException {
        Path file = dir.resolve("master.pid");
        PidFileLock lock = PidFileLock.take(file, pid -> "held by " + pid);
        try {
            assertEquals(ProcessHandle.current().pid() + "\n", Files.readString(file));
        } finally {
            lock.release();
        }
    }

    @Test
    void aLinkInPlaceOfThePidFileIsNotFollowed() throws IOException {
        Path precious = Files.writeString(dir.resolve("precious.txt"), "keep me");
        Path file = Files.createSymbolicLink(dir.resolve("master.pid"), precious);

        assertThrows(IOException.class, () -> PidFileLock.take(file, pid -> "held by " + pid).release());

        assertEquals("keep me", Files.readString(precious), "the file the link points to is untouched");
    }
}
