package dev.clutch.core.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessLogAppenderTest {

    @TempDir
    Path dir;
    private final LoggerContext context = TestLoggerContexts.ofWorker();
    private Logger access;

    @BeforeEach
    void setUp() {
        access = context.getLogger(LogLayout.ACCESS_LOGGER);
        access.setLevel(Level.INFO);
    }

    @AfterEach
    void tearDown() {
        context.stop();
    }

    @Test
    void linesReachTheFileWithinTheFlushIntervalWithoutAStop() throws Exception {
        Path file = dir.resolve("worker-1-access.log");
        access.addAppender(AccessLogAppender.create(context, file));

        access.info("/127.0.0.1:5000 \"GET /a\" 200 2 0ms id-1");

        Awaitility.await().atMost(Duration.ofMillis(LogFileUpkeep.INTERVAL_MILLIS * 5))
                .until(() -> Files.readString(file).contains("\"GET /a\""));
        String line = Files.readString(file);
        assertTrue(line.matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\[worker-1:42] "
                + "/127\\.0\\.0\\.1:5000 \"GET /a\" 200 2 0ms id-1\\R"), line);
    }

    @Test
    void stoppingWritesWhatTheBufferHolds() throws Exception {
        Path file = dir.resolve("worker-2-access.log");
        AccessLogAppender appender = AccessLogAppender.create(context, file);
        access.addAppender(appender);
        for (int i = 0; i < 100; i++) {
            access.info("line " + i);
        }

        appender.stop();

        assertEquals(100, Files.readAllLines(file).size());
        assertTrue(Files.readAllLines(file).get(99).endsWith("[worker-1:42] line 99"));
    }

    @Test
    void theTimeIsTheEventsInTheLocalZoneToTheMillisecond() {
        AccessLineLayout layout = new AccessLineLayout();
        layout.setContext(context);
        layout.start();
        LocalDateTime time = LocalDateTime.of(2026, 11, 21, 18, 32, 22, 7_000_000);
        long millis = time.atZone(ZoneId.systemDefault()).toInstant().toEpochMilli();

        String first = layout.doLayout(event(millis, "a"));
        String sameSecond = layout.doLayout(event(millis + 990, "b"));
        String nextSecond = layout.doLayout(event(millis + 1000, "c"));

        String second = time.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"));
        assertEquals(second + ".007 [worker-1:42] a" + System.lineSeparator(), first);
        assertEquals(second + ".997 [worker-1:42] b" + System.lineSeparator(), sameSecond);
        assertEquals(time.plusSeconds(1).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"))
                + ".007 [worker-1:42] c" + System.lineSeparator(), nextSecond);
    }

    private LoggingEvent event(long millis, String message) {
        LoggingEvent event = new LoggingEvent();
        event.setLoggerContext(context);
        event.setLevel(Level.INFO);
        event.setMessage(message);
        event.setTimeStamp(millis);
        return event;
    }
}
