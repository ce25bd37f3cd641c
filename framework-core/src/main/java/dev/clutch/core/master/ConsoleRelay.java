package dev.clutch.core.master;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;

/**
 * The master's console, which never makes the master wait. Everything the cluster prints passes through the
 * master's stdout and stderr: its own log lines, the ready line, and every line its children log (copied from
 * their pipes). If whoever reads that console stops (a paused terminal, a stuck log shipper, a pipe nobody
 * drains), a plain write blocks: the master's threads, then the children's, whose pipes fill while the master
 * cannot copy them. Through this relay a write only queues the bytes, up to {@link #CAPACITY_BYTES}; one thread
 * per stream writes them out. Past the capacity, output is dropped and counted, and a line in its place says how
 * much once there is room again. Nothing is lost for good: every process also writes its own log file.
 */
public final class ConsoleRelay extends OutputStream {

    static final int CAPACITY_BYTES = 1 << 20;
    /** How long an exiting master waits for its last lines to reach a console that does not read. */
    private static final Duration DRAIN_AT_EXIT = Duration.ofSeconds(1);

    private final PrintStream target;
    private final String name;
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private int queuedBytes;
    private long droppedBytes;
    /** A chunk taken from the queue but not written yet: the console is blocked on it. */
    private boolean writing;

    private ConsoleRelay(PrintStream target, String name) {
        this.target = target;
        this.name = name;
    }

    /** Puts a relay in front of this JVM's stdout and stderr; once, in the master, before anything prints. */
    public static void install() {
        ConsoleRelay out = start(System.out, "stdout");
        ConsoleRelay err = start(System.err, "stderr");
        System.setOut(new PrintStream(out, false, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, false, StandardCharsets.UTF_8));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.flush();
            System.err.flush();
            long deadline = System.nanoTime() + DRAIN_AT_EXIT.toNanos();
            out.awaitDrained(deadline);
            err.awaitDrained(deadline);
        }, "clutch-console-drain"));
    }

    private static ConsoleRelay start(PrintStream target, String name) {
        ConsoleRelay relay = new ConsoleRelay(target, name);
        Thread writer = new Thread(relay::writeOut, "clutch-console-" + name);
        writer.setDaemon(true);
        writer.start();
        return relay;
    }

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        if (length == 0) {
            return;
        }
        synchronized (queue) {
            if (queuedBytes + length > CAPACITY_BYTES) {
                droppedBytes += length;
                return;
            }
            if (droppedBytes > 0) {
                // Where the output has its gap, also when the console never quite catches up.
                add(notice(droppedBytes));
                droppedBytes = 0;
            }
            byte[] chunk = new byte[length];
            System.arraycopy(bytes, offset, chunk, 0, length);
            add(chunk);
        }
    }

    private void add(byte[] chunk) {
        queue.add(chunk);
        queuedBytes += chunk.length;
        queue.notifyAll();
    }

    private byte[] notice(long dropped) {
        return ("clutch: " + dropped + " bytes of console output (" + name + ") were dropped here: the console did"
                + " not read them in time. Each process's log file under the log directory has them."
                + System.lineSeparator()).getBytes(StandardCharsets.UTF_8);
    }

    /** The writer thread: whatever is queued, in order; a gap nothing was written after gets its line here. */
    private void writeOut() {
        while (true) {
            byte[] chunk;
            synchronized (queue) {
                while (queue.isEmpty() && droppedBytes == 0) {
                    writing = false;
                    queue.notifyAll();
                    try {
                        queue.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                chunk = queue.poll();
                if (chunk == null) {
                    chunk = notice(droppedBytes);
                    droppedBytes = 0;
                } else {
                    queuedBytes -= chunk.length;
                }
                writing = true;
            }
            target.write(chunk, 0, chunk.length);
            target.flush();
        }
    }

    private void awaitDrained(long deadlineNanos) {
        synchronized (queue) {
            while (!queue.isEmpty() || writing) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                try {
                    queue.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
