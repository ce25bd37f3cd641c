package dev.clutch.core.logging;

import ch.qos.logback.core.FileAppender;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Upkeep of the log files this process writes, once a second on one daemon thread: writes out what the access logs
 * buffer, and reopens a file whose path no longer leads to it because it was rotated (by {@link LogRotation} in the
 * master, or by logrotate(8)) or deleted. Lines written before the reopen stay in the moved file, so none are lost,
 * and no process needs telling: Python's {@code WatchedFileHandler} works the same way.
 */
final class LogFileUpkeep {

    static final long INTERVAL_MILLIS = 1000;

    /** The identity of a path that leads to no file. */
    private static final Object MISSING = new Object();
    /** The identity of every file on a file system that tells files apart by name only: moves go unnoticed there. */
    private static final Object ANONYMOUS = new Object();
    private static final Map<FileAppender<?>, Object> FOLLOWED = new ConcurrentHashMap<>();
    private static final ScheduledExecutorService TICKER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "clutch-log-files");
        thread.setDaemon(true);
        return thread;
    });

    static {
        everySecond(LogFileUpkeep::tick);
        Runtime.getRuntime().addShutdownHook(new Thread(LogFileUpkeep::flushAll, "clutch-log-files-at-exit"));
    }

    private LogFileUpkeep() {
    }

    /** Follows a started appender's file until the appender stops. */
    static void follow(FileAppender<?> appender) {
        FOLLOWED.put(appender, Objects.requireNonNullElse(identity(Path.of(appender.getFile())), ANONYMOUS));
    }

    /** Runs {@code task} once a second on the upkeep thread; a task that throws is logged to stderr and runs on. */
    static ScheduledFuture<?> everySecond(Runnable task) {
        return TICKER.scheduleWithFixedDelay(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                // An exception would end the schedule, and with it every later flush and reopen.
                System.err.println("clutch: log file upkeep failed, retrying in a second: " + e);
            }
        }, INTERVAL_MILLIS, INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
    }

    private static void tick() {
        FOLLOWED.forEach((appender, openedIdentity) -> {
            if (!appender.isStarted()) {
                FOLLOWED.remove(appender);
                return;
            }
            flush(appender);
            Path path = Path.of(appender.getFile());
            Object current = identity(path);
            if (current != null && !current.equals(openedIdentity)) {
                reopen(appender, path);
            }
        });
    }

    private static void reopen(FileAppender<?> appender, Path path) {
        try {
            if (path.getParent() != null && !Files.isDirectory(path.getParent())) {
                // The whole directory was deleted: made again as at the start, not with logback's defaults, which
                // would let every user of the host read the access logs.
                LogLayout.prepareDirectory(path.getParent());
            }
            // Under the appender's own lock: a line is written either to the moved file or to the new one.
            appender.openFile(appender.getFile());
            FOLLOWED.replace(appender, Objects.requireNonNullElse(identity(path), ANONYMOUS));
        } catch (IOException e) {
            appender.addError("could not reopen " + path + " after it was moved or deleted", e);
        }
    }

    private static void flushAll() {
        FOLLOWED.keySet().forEach(LogFileUpkeep::flush);
    }

    private static void flush(FileAppender<?> appender) {
        if (appender instanceof AccessLogAppender buffered) {
            try {
                buffered.flush();
            } catch (RuntimeException e) {
                appender.addError("could not flush " + appender.getFile(), e);
            }
        }
    }

    /**
     * What makes the file at {@code path} this file whatever its name (device and inode on Linux), {@link #MISSING},
     * or {@code null} when it cannot be told now (the next tick tries again).
     */
    private static Object identity(Path path) {
        try {
            return Objects.requireNonNullElse(Files.readAttributes(path, BasicFileAttributes.class).fileKey(),
                    ANONYMOUS);
        } catch (NoSuchFileException e) {
            return MISSING;
        } catch (IOException e) {
            return null;
        }
    }
}
