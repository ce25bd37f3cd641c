package dev.clutch.core.logging;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rotates the files of Clutch's log layout in one directory; the master runs it for every process of the cluster.
 * After midnight (local time) each file is renamed to {@code <file>.<yyyy-MM-dd>}, the day it ends; a file past
 * the size limit is renamed within a second to {@code <file>.<yyyy-MM-dd>}, then {@code .1}, {@code .2}; rotated
 * files older than the history are deleted. It only renames: each process goes on in a new file at the old path
 * within a second ({@link LogFileUpkeep}), and the lines written meanwhile stay in the renamed file. At start it also rotates the
 * files last written on an earlier day, so a restart does not go on in yesterday's file.
 */
public final class LogRotation {

    /**
     * How the files rotate.
     *
     * @param daily whether Clutch rotates at all (off: the files are left to logrotate(8))
     * @param maxFileSize the size past which a file rotates before the day ends; 0 for none
     * @param maxHistoryDays how many days of rotated files are kept; 0 keeps them all
     */
    public record Policy(boolean daily, long maxFileSize, int maxHistoryDays) {
    }

    private static final Logger log = LoggerFactory.getLogger(LogRotation.class);
    private static final Pattern ROTATED = Pattern.compile("(.+)\\.(\\d{4}-\\d{2}-\\d{2})(\\.\\d+)?");

    private final Path dir;
    private final Policy policy;
    private final Clock clock;
    private LocalDate today;

    LogRotation(Path dir, Policy policy, Clock clock) {
        this.dir = dir;
        this.policy = policy;
        this.clock = clock;
        this.today = LocalDate.now(clock);
    }

    /**
     * Catches up on the days the cluster was down, then looks once a second for the rest of the process's life (on
     * the daemon thread of {@link LogFileUpkeep}). Does nothing when the policy is off.
     */
    public static void start(Path dir, Policy policy) {
        if (policy.daily()) {
            LogRotation rotation = new LogRotation(dir, policy, Clock.systemDefaultZone());
            rotation.catchUp();
            LogFileUpkeep.everySecond(rotation::tick);
        }
    }

    /** Rotates the files last written before today under the day they were last written, then deletes the expired. */
    void catchUp() {
        for (Path file : layoutFiles()) {
            try {
                LocalDate written = LocalDate.ofInstant(Files.getLastModifiedTime(file).toInstant(),
                        clock.getZone());
                if (written.isBefore(today)) {
                    rotate(file, written);
                }
            } catch (IOException e) {
                log.warn("could not rotate log file {}: {}", file, e.toString());
            }
        }
        deleteExpired();
    }

    /** One look: a new day rotates every file, a file past the size limit rotates on its own. */
    void tick() {
        LocalDate now = LocalDate.now(clock);
        if (!now.equals(today)) {
            LocalDate ended = today;
            today = now;
            layoutFiles().forEach(file -> rotate(file, ended));
            deleteExpired();
        }
        if (policy.maxFileSize() > 0) {
            for (Path file : layoutFiles()) {
                if (size(file) >= policy.maxFileSize()) {
                    rotate(file, today);
                }
            }
        }
    }

    private void rotate(Path file, LocalDate day) {
        if (size(file) == 0) {
            return;
        }
        String base = file.getFileName() + "." + day;
        for (int n = 0; ; n++) {
            Path target = dir.resolve(n == 0 ? base : base + "." + n);
            if (Files.exists(target)) {
                continue;
            }
            try {
                // A rename within the directory: the processes writing to the file go on writing to it.
                Files.move(file, target);
                log.info("rotated log file {} to {}", file.getFileName(), target.getFileName());
                return;
            } catch (FileAlreadyExistsException raced) {
                // Taken since the look: try the next number.
            } catch (NoSuchFileException gone) {
                return;
            } catch (IOException e) {
                log.warn("could not rotate log file {} to {}: {}", file, target.getFileName(), e.toString());
                return;
            }
        }
    }

    private void deleteExpired() {
        if (policy.maxHistoryDays() == 0) {
            return;
        }
        LocalDate oldestKept = today.minusDays(policy.maxHistoryDays());
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                if (rotatedBefore(file.getFileName().toString(), oldestKept)) {
                    Files.deleteIfExists(file);
                    log.info("deleted log file {}, older than {} days (clutch.log.maxHistory)", file.getFileName(),
                            policy.maxHistoryDays());
                }
            }
        } catch (NoSuchFileException noDirectoryYet) {
            // Nothing was logged yet.
        } catch (IOException e) {
            log.warn("could not delete expired log files in {}: {}", dir, e.toString());
        }
    }

    /** Whether the name is that of a layout file rotated on a day before {@code day}. */
    private static boolean rotatedBefore(String name, LocalDate day) {
        Matcher rotated = ROTATED.matcher(name);
        try {
            return rotated.matches() && LogLayout.writes(rotated.group(1))
                    && LocalDate.parse(rotated.group(2)).isBefore(day);
        } catch (DateTimeParseException notADay) {
            return false;
        }
    }

    private List<Path> layoutFiles() {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                if (LogLayout.writes(file.getFileName().toString())) {
                    found.add(file);
                }
            }
        } catch (NoSuchFileException noDirectoryYet) {
            // Nothing was logged yet.
        } catch (IOException e) {
            log.warn("could not list the log directory {}: {}", dir, e.toString());
        }
        return found;
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }
}
