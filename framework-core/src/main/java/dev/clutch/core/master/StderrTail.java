package dev.clutch.core.master;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Copies one output stream of a child to the master's console line by line (and, if asked, to a file), and
 * remembers the last lines, so the master can say why a child died.
 */
final class StderrTail {

    static final int KEPT_LINES = 30;
    private static final int MAX_KEPT_LINE_CHARS = 2000;
    /** The longest line copied as one; a longer one is copied in pieces of this length. */
    static final int MAX_LINE_CHARS = 64 * 1024;

    private final Deque<String> last = new ArrayDeque<>(KEPT_LINES);
    private final CountDownLatch ended = new CountDownLatch(1);

    private StderrTail() {
    }

    /** @param alsoTo a file each line is appended to as well, or {@code null} */
    static StderrTail start(String threadName, InputStream stream, PrintStream console, Path alsoTo) {
        StderrTail tail = new StderrTail();
        Thread thread = new Thread(() -> tail.copy(stream, console, alsoTo), threadName);
        thread.setDaemon(true);
        thread.start();
        return tail;
    }

    private void copy(InputStream stream, PrintStream console, Path alsoTo) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            StringBuilder buffer = new StringBuilder();
            for (String line = nextLine(reader, buffer); line != null; line = nextLine(reader, buffer)) {
                // One write per line, so lines of different processes never split each other on the console.
                console.print(line + System.lineSeparator());
                console.flush();
                remember(line);
                if (alsoTo != null) {
                    append(alsoTo, line);
                }
            }
        } catch (IOException ignored) {
            // The child is gone and its pipe with it.
        } finally {
            ended.countDown();
        }
    }

    /**
     * The next line, without its end ({@code \n}, {@code \r\n}), or its first {@link #MAX_LINE_CHARS} characters,
     * the rest following as further lines: a child printing megabytes without a newline must not fill the master's
     * heap. {@code null} at the end of the stream.
     */
    static String nextLine(BufferedReader reader, StringBuilder buffer) throws IOException {
        buffer.setLength(0);
        for (int c = reader.read(); c != -1; c = reader.read()) {
            if (c == '\n') {
                return buffer.toString();
            }
            if (c != '\r') {
                buffer.append((char) c);
            }
            if (buffer.length() >= MAX_LINE_CHARS) {
                return buffer.toString();
            }
        }
        return buffer.length() > 0 ? buffer.toString() : null;
    }

    /**
     * Opened for each line (they are rare: what a child prints outside logging, a thread dump), so a line always
     * lands in the file the name means now, not in one rotation renamed or deleted.
     */
    private static void append(Path file, String line) {
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // The console has the line; the file is the log directory's business (full disk, say).
        }
    }

    private synchronized void remember(String line) {
        if (last.size() == KEPT_LINES) {
            last.removeFirst();
        }
        last.addLast(line.length() > MAX_KEPT_LINE_CHARS ? line.substring(0, MAX_KEPT_LINE_CHARS) + "…" : line);
    }

    synchronized List<String> lastLines() {
        return List.copyOf(last);
    }

    /** Waits briefly for the rest of the pipe after the process exited, so the tail is complete. */
    void awaitEnd() {
        try {
            ended.await(500, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
