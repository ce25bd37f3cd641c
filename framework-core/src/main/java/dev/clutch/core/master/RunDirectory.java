package dev.clutch.core.master;

import dev.clutch.core.ipc.IpcTransport;
import dev.clutch.core.lifecycle.PidFileLock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The instance's run directory: owner-only (0700), it holds the IPC socket, so no other user can even reach it.
 */
public final class RunDirectory {

    /** Linux's limit on a Unix socket path (sun_path is 108 bytes, one for the terminating NUL). */
    private static final int MAX_SOCKET_PATH_BYTES = 107;

    private final Path dir;
    private PidFileLock lock;

    private static final java.util.Set<java.nio.file.attribute.PosixFilePermission> OWNER_ONLY =
            PosixFilePermissions.fromString("rwx------");

    private RunDirectory(Path dir) {
        this.dir = dir;
    }

    /**
     * Creates the directory (and its parents) if needed and makes it owner-only.
     *
     * @throws IOException when it cannot be created, belongs to another user or its socket path would be too long
     */
    public static RunDirectory prepare(Path dir) throws IOException {
        // Owner-only from its creation, not after: nothing can be placed in it in between.
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        checkParents(dir);
        // Owner-only would mean that other user: it could replace the sockets this master listens on.
        checkOwner(dir, "give this instance a run directory of its own (clutch.runDir) or make this user its owner");
        Files.setPosixFilePermissions(dir, OWNER_ONLY);
        RunDirectory runDirectory = new RunDirectory(dir);
        // control.sock is the longest socket name here.
        int length = runDirectory.controlSocket().toString().getBytes(StandardCharsets.UTF_8).length;
        if (length > MAX_SOCKET_PATH_BYTES) {
            throw new IOException("run directory " + dir + " is too deep for a Unix socket (" + length + " > "
                    + MAX_SOCKET_PATH_BYTES + " bytes): set clutch.runDir to a shorter path");
        }
        return runDirectory;
    }

    /**
     * Refuses a run directory that another user could replace with one of their own, sockets and all, which would
     * hand them a child's token or answer an operator's command: every directory above it (as written and as
     * resolved through links) must belong to this user or root, and be writable by others only with the sticky bit
     * ({@code /tmp}). A directory writable by its group passes (a umask of 002 makes one; the group is the user's).
     *
     * @throws IOException naming the directory and why, and what to do
     */
    public static void checkParents(Path dir) throws IOException {
        long self = IpcTransport.processUid();
        Set<Path> parents = new LinkedHashSet<>();
        for (Path p = dir.toAbsolutePath().normalize().getParent(); p != null; p = p.getParent()) {
            parents.add(p);
        }
        if (Files.exists(dir)) {
            for (Path p = dir.toRealPath().getParent(); p != null; p = p.getParent()) {
                parents.add(p);
            }
        }
        for (Path parent : parents) {
            if (!Files.exists(parent)) {
                continue;
            }
            // The link itself too: whoever owns it could point it elsewhere.
            for (LinkOption[] how : List.of(new LinkOption[0], new LinkOption[] {LinkOption.NOFOLLOW_LINKS})) {
                long owner = ((Number) Files.getAttribute(parent, "unix:uid", how)).longValue();
                int mode = (Integer) Files.getAttribute(parent, "unix:mode", how);
                boolean link = how.length > 0 && Files.isSymbolicLink(parent);
                String problem = owner != self && owner != 0 ? "belongs to uid " + owner
                        : !link && (mode & 0002) != 0 && (mode & 01000) == 0
                        ? "is writable by every user (mode " + Integer.toOctalString(mode & 07777) + ", no sticky bit)"
                        : null;
                if (problem != null) {
                    throw new IOException("run directory " + dir + ": " + parent + (link ? " (a link) " : " ")
                            + problem + ", so another user could put a run directory of their own in its place: "
                            + "set clutch.runDir (or clutch.baseDir) under directories only this user or root can "
                            + "change");
                }
            }
        }
    }

    /**
     * Refuses a run directory (or a link in its place) that belongs to another user, who could have put sockets of
     * their own in it.
     *
     * @param whatToDo the end of the message: what the user can do about it
     * @throws IOException naming the directory, its owner and this user
     */
    public static void checkOwner(Path dir, String whatToDo) throws IOException {
        long self = IpcTransport.processUid();
        for (LinkOption[] how : List.of(new LinkOption[0], new LinkOption[] {LinkOption.NOFOLLOW_LINKS})) {
            long owner = ((Number) Files.getAttribute(dir, "unix:uid", how)).longValue();
            if (owner != self) {
                boolean link = how.length > 0 && Files.isSymbolicLink(dir);
                throw new IOException("run directory " + dir + (link ? " (a link)" : "") + " belongs to uid " + owner
                        + ", not to this user (uid " + self + "): " + whatToDo);
            }
        }
    }

    public Path path() {
        return dir;
    }

    public Path ipcSocket() {
        return dir.resolve("ipc.sock");
    }

    /** Where operator commands reach the running master. */
    public Path controlSocket() {
        return controlSocketIn(dir);
    }

    /** The control socket of the master whose run directory is {@code runDir} ({@code clutch.runDir}). */
    public static Path controlSocketIn(Path runDir) {
        return runDir.resolve("control.sock");
    }

    /** The master's pid file; it is also the lock that keeps two masters out of one run directory. */
    public Path pidFile() {
        return pidFileIn(dir);
    }

    /** The pid file of the master whose run directory is {@code runDir}. */
    public static Path pidFileIn(Path runDir) {
        return runDir.resolve("master.pid");
    }

    /**
     * Takes the run directory for this master (or single-process run) and writes its pid.
     *
     * @throws IOException naming the other instance's pid when one already runs here
     */
    public void lock() throws IOException {
        // Whose it is, this start cannot tell: another application's launcher may share the base directory.
        lock = PidFileLock.take(pidFile(), other -> "another Clutch instance (pid " + other + ") already runs with "
                + "run directory " + dir + ": stop it first, or give this instance its own clutch.runDir");
    }

    /** Releases the run directory (if this master holds it) and empties the pid file. */
    public void unlock() {
        if (lock != null) {
            lock.release();
            lock = null;
        }
    }

    /** Removes the sockets; the directory stays for the next start. */
    public void clean() {
        try {
            Files.deleteIfExists(ipcSocket());
            Files.deleteIfExists(controlSocket());
        } catch (IOException ignored) {
            // Best effort at exit: the next start replaces the socket anyway.
        }
    }
}
