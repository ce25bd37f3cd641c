package dev.clutch.core.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogDirectoryTest {

    @TempDir
    Path base;

    @Test
    void aLogDirectoryClutchCreatesIsClosedToOtherUsers() throws IOException {
        Path logs = base.resolve("var/logs");

        LogLayout.prepareDirectory(logs);

        assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(logs)));
    }

    @Test
    void oneTheOperatorMadeKeepsItsPermissions() throws IOException {
        Path logs = Files.createDirectory(base.resolve("logs"));
        Files.setPosixFilePermissions(logs, PosixFilePermissions.fromString("rwxrwxr-x"));

        LogLayout.prepareDirectory(logs);

        assertEquals("rwxrwxr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(logs)));
    }
}
