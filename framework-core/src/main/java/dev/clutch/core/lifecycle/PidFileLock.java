package dev.clutch.core.lifecycle;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Function;

/**
 * A file holding this process's pid that is also a lock on what it guards (a run directory, a log directory): held
 * while the process runs, released by the kernel if it dies, emptied when let go.
 */
public final class PidFileLock {

    private FileChannel channel;

    private PidFileLock(FileChannel channel) {
        this.channel = channel;
    }

    /**
     * Takes the lock and writes this process's pid into {@code file}.
     *
     * @param whenHeld the message, given the pid the file names, when another process holds it
     * @throws IOException with that message, or when the file cannot be opened
     */
    public static PidFileLock take(Path file, Function<String, String> whenHeld) throws IOException {
        // Not through a link: one planted there would have this process truncate the file it points to.
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            String other = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).trim();
            channel.close();
            throw new IOException(whenHeld.apply(other.isEmpty() ? "unknown" : other));
        }
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)));
        return new PidFileLock(channel);
    }

    /** Lets go of the lock and empties the file; once only. */
    public synchronized void release() {
        if (channel == null) {
            return;
        }
        try {
            // Emptied, not removed: a process starting meanwhile may have the file open to lock it next, and would
            // otherwise lock a removed file while a third one locked a new one.
            channel.truncate(0);
            channel.close();
        } catch (IOException ignored) {
            // Best effort at exit: the lock goes with the process anyway.
        }
        channel = null;
    }
}
