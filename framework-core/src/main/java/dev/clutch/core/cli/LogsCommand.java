package dev.clutch.core.cli;

import dev.clutch.core.logging.LogLayout;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * {@code logs}: the last lines of the master's, the agent's and the workers' log files merged in the order they were
 * written, and with {@code --follow} every line written from then on, as {@code pm2 logs} shows them. It reads
 * the files in {@code clutch.logDir}, so it works whether the instance runs or not; each line names its process.
 */
final class LogsCommand implements AutoCloseable {

    /** At most this much of each file is read at once: the end of it for a tail. */
    private static final int WINDOW_BYTES = 1024 * 1024;
    private static final Duration POLL = Duration.ofMillis(200);
    /**
     * How long a rotated file is still read: {@code LogRotation} renames it, and the process writing it goes on in
     * it for up to a second before it opens the new one.
     */
    private static final Duration ROTATED_GRACE = Duration.ofSeconds(3);

    private final Path logDir;
    private final List<String> processes;
    private final PrintStream out;
    /** Each process's log as it is open here, by its path; kept open, so a renamed file is still read. */
    private final Map<Path, OpenLog> open = new LinkedHashMap<>();
    /** Files renamed by a rotation, read until their grace ends. */
    private final List<OpenLog> rotated = new ArrayList<>();

    /**
     * @param processes the processes whose logs to show ({@code master}, {@code agent}, {@code workers},
     *     {@code worker-N}); none: every one
     */
    LogsCommand(Path logDir, List<String> processes, PrintStream out) {
        this.logDir = logDir;
        this.processes = List.copyOf(processes);
        this.out = out;
    }

    /**
     * Prints the last {@code lines} lines of the processes' logs together, oldest first.
     *
     * @throws NoSuchFileException naming the directory when it does not exist
     */
    void tail(int lines) throws IOException {
        if (!Files.isDirectory(logDir)) {
            throw new NoSuchFileException(logDir + " (clutch.logDir) does not exist: the instance has not run "
                    + "with this configuration");
        }
        List<Entry> entries = new ArrayList<>();
        for (Path file : processLogs()) {
            OpenLog log = OpenLog.open(file, rank(file));
            if (log == null) {
                continue;
            }
            open.put(file, log);
            long size = log.channel().size();
            log.offset = Math.max(0, size - WINDOW_BYTES);
            String end = new String(log.readComplete(size), StandardCharsets.UTF_8);
            List<String> last = end.lines().toList();
            if (size > WINDOW_BYTES && !last.isEmpty()) {
                // The window starts inside a line.
                last = last.subList(1, last.size());
            }
            entries.addAll(lastLines(entries(last, log.rank()), lines));
        }
        List<String> merged = inOrder(entries);
        merged.subList(Math.max(0, merged.size() - lines), merged.size()).forEach(out::println);
        out.flush();
    }

    /**
     * After {@link #tail}: prints what the files gain, until the thread is interrupted (Ctrl-C ends the JVM) or
     * nothing reads the output any more (a pipe into {@code head} or {@code grep -m} that closed).
     */
    void follow() throws IOException, InterruptedException {
        while (!Thread.currentThread().isInterrupted()) {
            List<Entry> entries = new ArrayList<>();
            for (Iterator<OpenLog> it = rotated.iterator(); it.hasNext(); ) {
                OpenLog log = it.next();
                entries.addAll(entries(log.readAdded(), log.rank()));
                if (System.nanoTime() > log.readUntilNanos) {
                    it.remove();
                    log.channel().close();
                }
            }
            for (Path file : processLogs()) {
                OpenLog log = open.get(file);
                if (log != null && !log.isAt(file)) {
                    // Rotated: the old file is read on for a while; the new one from its start.
                    log.readUntilNanos = System.nanoTime() + ROTATED_GRACE.toNanos();
                    rotated.add(log);
                    open.remove(file);
                    log = null;
                }
                if (log == null) {
                    log = OpenLog.open(file, rank(file));
                    if (log == null) {
                        continue;
                    }
                    open.put(file, log);
                }
                entries.addAll(entries(log.readAdded(), log.rank()));
            }
            inOrder(entries).forEach(out::println);
            out.flush();
            if (out.checkError()) {
                // A PrintStream keeps a broken pipe to itself: without this, follow would poll on for no one.
                return;
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    @Override
    public void close() throws IOException {
        for (OpenLog log : open.values()) {
            log.channel().close();
        }
        for (OpenLog log : rotated) {
            log.channel().close();
        }
    }

    private List<Path> processLogs() throws IOException {
        try (Stream<Path> files = Files.list(logDir)) {
            // Access, schedule and error logs repeat or add to these.
            return files.filter(f -> LogLayout.isProcessLog(f.getFileName().toString()) && shown(f))
                    .sorted(Comparator.comparing(LogsCommand::rank).thenComparing(Path::toString))
                    .toList();
        } catch (AccessDeniedException e) {
            throw unreadable(e);
        }
    }

    private boolean shown(Path file) {
        String process = file.getFileName().toString().replaceFirst("\\.log$", "");
        return processes.isEmpty() || processes.contains(process)
                || (processes.contains("workers") && process.startsWith("worker-"));
    }

    /** What a bare "permission denied" leaves out: whose the logs are, and who may read them. */
    private static AccessDeniedException unreadable(AccessDeniedException e) {
        AccessDeniedException explained = new AccessDeniedException(e.getFile(), null, "this user may not read it: "
                + "a log directory Clutch makes is its owner's and its group's (0750), so run logs as the user that "
                + "runs the instance or as a member of its group");
        explained.initCause(e);
        return explained;
    }

    /** master, agent, then the workers by number: the order of lines logged in the same millisecond. */
    private static int rank(Path file) {
        String name = file.getFileName().toString();
        if (name.equals("master.log")) {
            return -2;
        }
        if (name.equals("agent.log")) {
            return -1;
        }
        return Integer.parseInt(name.substring("worker-".length(), name.length() - ".log".length()));
    }

    /** The entries' lines by the time they were logged; at the same millisecond, master, agent, workers. */
    private static List<String> inOrder(List<Entry> entries) {
        entries.sort(Comparator.comparing(Entry::time).thenComparing(Entry::rank));
        return entries.stream().flatMap(entry -> entry.lines().stream()).toList();
    }

    /**
     * The entries that hold the last {@code lines} lines, the oldest cut to fit: cut, a stack trace keeps the time of
     * the line that logged it, and is not taken for older than every other line.
     */
    private static List<Entry> lastLines(List<Entry> entries, int lines) {
        List<Entry> kept = new ArrayList<>();
        int left = lines;
        for (int i = entries.size() - 1; i >= 0 && left > 0; i--) {
            Entry entry = entries.get(i);
            List<String> all = entry.lines();
            List<String> taken = all.subList(Math.max(0, all.size() - left), all.size());
            kept.add(0, new Entry(entry.time(), entry.rank(), new ArrayList<>(taken)));
            left -= taken.size();
        }
        return kept;
    }

    /** Lines grouped into entries: a stack trace stays under the line that logged it. */
    private static List<Entry> entries(List<String> lines, int rank) {
        List<Entry> entries = new ArrayList<>();
        for (String line : lines) {
            boolean starts = LogLayout.startsEntry(line);
            if (starts || entries.isEmpty()) {
                // A continuation first (the rest of an entry printed before) sorts before the new entries.
                entries.add(new Entry(starts ? line.substring(0, LogLayout.TIME_CHARS) : "", rank,
                        new ArrayList<>(List.of(line))));
            } else {
                entries.get(entries.size() - 1).lines().add(line);
            }
        }
        return entries;
    }

    private record Entry(String time, int rank, List<String> lines) {
    }

    /** One log file, open, and how far it has been printed. */
    private static final class OpenLog {

        private final FileChannel channel;
        private final Object fileKey;
        private final int rank;
        private long offset;
        private long readUntilNanos;

        private OpenLog(FileChannel channel, Object fileKey, int rank) {
            this.channel = channel;
            this.fileKey = fileKey;
            this.rank = rank;
        }

        /** The file at {@code path}, open, or {@code null} if it went away meanwhile. */
        static OpenLog open(Path path, int rank) throws IOException {
            try {
                // The key is read on both sides of the open: the same, the channel is the file it names, and not
                // one a rotation put at the path in between (which would be taken for rotated and read twice).
                for (int attempt = 0; ; attempt++) {
                    Object before = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
                    FileChannel channel = FileChannel.open(path);
                    Object after = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
                    if (Objects.equals(before, after) || attempt == 2) {
                        return new OpenLog(channel, after, rank);
                    }
                    channel.close();
                }
            } catch (NoSuchFileException rotatedAway) {
                return null;
            } catch (AccessDeniedException e) {
                throw unreadable(e);
            }
        }

        FileChannel channel() {
            return channel;
        }

        int rank() {
            return rank;
        }

        /** Whether {@code path} still names this file (a rotation renames it and creates another). */
        boolean isAt(Path path) throws IOException {
            try {
                return Objects.equals(fileKey, Files.readAttributes(path, BasicFileAttributes.class).fileKey());
            } catch (NoSuchFileException renamed) {
                return false;
            }
        }

        /** The whole lines written since the last read. */
        List<String> readAdded() throws IOException {
            long size = channel.size();
            if (size < offset) {
                // Truncated in place: what is there now is new.
                offset = 0;
            }
            return new String(readComplete(Math.min(size, offset + WINDOW_BYTES)), StandardCharsets.UTF_8)
                    .lines().toList();
        }

        /** From the offset to {@code to}, up to the last line end, and moves the offset past it. */
        byte[] readComplete(long to) throws IOException {
            ByteBuffer bytes = ByteBuffer.allocate((int) Math.max(0, to - offset));
            while (bytes.hasRemaining() && channel.read(bytes, offset + bytes.position()) > 0) {
                // Reads until the size seen, or the end if it shrank meanwhile.
            }
            int complete = bytes.position();
            while (complete > 0 && bytes.get(complete - 1) != '\n') {
                complete--;
            }
            if (complete == 0 && bytes.position() == WINDOW_BYTES) {
                // One line longer than the window: printed as it is rather than never.
                complete = bytes.position();
            }
            offset += complete;
            return Arrays.copyOf(bytes.array(), complete);
        }
    }
}
