package dev.clutch.core.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogRotationTest {

    private static final ZoneId ZONE = ZoneOffset.UTC;
    private static final LocalDate DAY = LocalDate.of(2026, 11, 21);

    @TempDir
    Path dir;
    private final MovableClock clock = new MovableClock(DAY.atTime(23, 59, 58).atZone(ZONE).toInstant());

    @Test
    void aNewDayRenamesEveryLayoutFileAfterTheDayItEnds() throws IOException {
        write("master.log", "a line\n");
        write("worker-3-access.log", "a request\n");
        write("worker-1.log", "");
        write("notes.log", "not Clutch's\n");
        LogRotation rotation = new LogRotation(dir, new LogRotation.Policy(true, 0, 14), clock);

        rotation.tick();
        assertEquals(Stream.of("master.log", "notes.log", "worker-1.log", "worker-3-access.log").toList(), names());

        clock.advanceSeconds(3);
        rotation.tick();

        assertEquals("a line\n", Files.readString(dir.resolve("master.log.2026-11-21")));
        assertEquals("a request\n", Files.readString(dir.resolve("worker-3-access.log.2026-11-21")));
        assertEquals(Stream.of("master.log.2026-11-21", "notes.log", "worker-1.log",
                "worker-3-access.log.2026-11-21").toList(), names(), "an empty file stays; others' files stay");
    }

    @Test
    void aFilePastTheSizeLimitRotatesTheSameDayUnderTheNextFreeNumber() throws IOException {
        LogRotation rotation = new LogRotation(dir, new LogRotation.Policy(true, 10, 14), clock);
        write("agent.log", "0123456789 first\n");
        rotation.tick();
        write("agent.log", "short\n");
        rotation.tick();
        assertEquals("short\n", Files.readString(dir.resolve("agent.log")), "under the limit");
        write("agent.log", "0123456789 second\n");
        rotation.tick();

        assertEquals("0123456789 first\n", Files.readString(dir.resolve("agent.log.2026-11-21")));
        assertEquals("0123456789 second\n", Files.readString(dir.resolve("agent.log.2026-11-21.1")));
        assertEquals(Stream.of("agent.log.2026-11-21", "agent.log.2026-11-21.1").toList(), names());
    }

    @Test
    void atStartFilesLastWrittenOnAnEarlierDayRotateUnderThatDay() throws IOException {
        write("common-error.log", "an old error\n");
        Files.setLastModifiedTime(dir.resolve("common-error.log"),
                FileTime.from(DAY.minusDays(3).atTime(12, 0).atZone(ZONE).toInstant()));
        write("schedule.log", "today's run\n");
        Files.setLastModifiedTime(dir.resolve("schedule.log"), FileTime.from(clock.instant()));

        new LogRotation(dir, new LogRotation.Policy(true, 0, 14), clock).catchUp();

        assertEquals(Stream.of("common-error.log.2026-11-18", "schedule.log").toList(), names());
    }

    @Test
    void rotatedFilesOlderThanTheHistoryAreDeletedOthersKept() throws IOException {
        write("master.log.2026-11-06", "15 days\n");
        write("master.log.2026-11-06.2", "15 days, by size\n");
        write("worker-2.log.2026-11-07", "14 days\n");
        write("notes.log.2020-01-01", "not Clutch's\n");
        write("master.log.2026-99-99", "not a day\n");

        new LogRotation(dir, new LogRotation.Policy(true, 0, 14), clock).catchUp();

        assertEquals(Stream.of("master.log.2026-99-99", "notes.log.2020-01-01", "worker-2.log.2026-11-07").toList(),
                names());
    }

    @Test
    void aHistoryOfZeroKeepsEverything() throws IOException {
        write("master.log.2001-01-01", "old\n");

        new LogRotation(dir, new LogRotation.Policy(true, 0, 0), clock).catchUp();

        assertTrue(Files.exists(dir.resolve("master.log.2001-01-01")));
    }

    @Test
    void aMissingDirectoryIsNotAnError() {
        LogRotation rotation = new LogRotation(dir.resolve("none"), new LogRotation.Policy(true, 1, 1), clock);
        rotation.catchUp();
        clock.advanceSeconds(3);
        rotation.tick();
        assertFalse(Files.exists(dir.resolve("none")));
    }

    private void write(String name, String text) throws IOException {
        Files.writeString(dir.resolve(name), text);
    }

    private java.util.List<String> names() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    /** A clock a test moves on. */
    private static final class MovableClock extends Clock {
        private Instant now;

        MovableClock(Instant start) {
            this.now = start;
        }

        void advanceSeconds(long seconds) {
            now = now.plusSeconds(seconds);
        }

        @Override
        public ZoneId getZone() {
            return ZONE;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
