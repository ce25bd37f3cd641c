package dev.clutch.core.master;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The instance's run directory: owner-only (0700), it holds the IPC socket, so no other user can even reach it.
 */
public final class RunDirectory {

    /** Linux's limit on a Unix socket path (sun_path is 108 bytes, one for the terminating NUL). */
    private static final int MAX_SOCKET_PATH_BYTES = 107;

    private final Path dir;

    private RunDirectory(Path dir) {
        this.dir = dir;
    }

    /**
     * Creates the directory (and its parents) if needed and makes it owner-only.
     *
     * @throws IOException when it cannot be created or its socket path would be too long
     */
    public static RunDirectory prepare(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        RunDirectory runDirectory = new RunDirectory(dir);
        int length = runDirectory.ipcSocket().toString().getBytes(StandardCharsets.UTF_8).length;
        if (length > MAX_SOCKET_PATH_BYTES) {
            throw new IOException("run directory " + dir + " is too deep for a Unix socket (" + length + " > "
                    + MAX_SOCKET_PATH_BYTES + " bytes): set clutch.runDir to a shorter path");
        }
        return runDirectory;
    }

    public Path path() {
        return dir;
    }

    public Path ipcSocket() {
        return dir.resolve("ipc.sock");
    }

    /** Removes the sockets; the directory stays for the next start. */
    public void clean() {
        try {
            Files.deleteIfExists(ipcSocket());
        } catch (IOException ignored) {
            // Best effort at exit: the next start replaces the socket anyway.
        }
    }
}
