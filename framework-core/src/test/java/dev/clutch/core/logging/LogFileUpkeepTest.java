package dev.clutch.core.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LogFileUpkeepTest {

    private static final Duration REOPEN_TIMEOUT = Duration.ofMillis(LogFileUpkeep.INTERVAL_MILLIS * 10);

    @TempDir
    Path dir;
    private final LoggerContext context = TestLoggerContexts.ofWorker();
    private Logger logger;

    @BeforeEach
    void setUp() {
        logger = context.getLogger("test");
        logger.setLevel(Level.INFO);
        logger.setAdditive(false);
    }

    @AfterEach
    void tearDown() {
        context.stop();
    }

    /** {@code shared}: several processes append to the file (prudent mode), as to {@code common-error.log}. */
    @ParameterizedTest(name = "shared between processes: {0}")
    @ValueSource(booleans = {false, true})
    void aMovedFileIsReopenedAtItsPathAndNoLineIsLost(boolean shared) throws Exception {
        Path file = dir.resolve("worker-1.log");
        logger.addAppender(followed(file, shared));
        logger.info("before the move");

        Path moved = dir.resolve("worker-1.log.2026-11-21");
        Files.move(file, moved);
        logger.info("between the move and the reopen");
        Awaitility.await().atMost(REOPEN_TIMEOUT).until(() -> Files.exists(file));
        logger.info("after the reopen");
        context.stop();

        assertEquals("before the move\nbetween the move and the reopen\n", Files.readString(moved));
        assertEquals("after the reopen\n", Files.readString(file));
    }

    @Test
    void aDeletedFileIsCreatedAgain() throws Exception {
        Path file = dir.resolve("agent.log");
        logger.addAppender(followed(file));
        logger.info("gone with the file");

        Files.delete(file);
        Awaitility.await().atMost(REOPEN_TIMEOUT).until(() -> Files.exists(file));
        logger.info("in the new file");
        context.stop();

        assertEquals("in the new file\n", Files.readString(file));
    }

    @Test
    void aDeletedDirectoryIsMadeAgainOwnerAndGroupOnly() throws Exception {
        Path logs = dir.resolve("logs");
        Path file = logs.resolve("worker-1.log");
        LogLayout.prepareDirectory(logs);
        logger.addAppender(followed(file));
        logger.info("gone with the directory");

        Files.delete(file);
        Files.delete(logs);
        Awaitility.await().atMost(REOPEN_TIMEOUT).until(() -> Files.exists(file));
        logger.info("in the new directory");
        context.stop();

        assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(logs)));
        assertEquals("in the new directory\n", Files.readString(file));
    }

    @Test
    void theBufferedAccessLogWritesItsLinesToTheFileTheyWereLoggedTo() throws Exception {
        Path file = dir.resolve("worker-1-access.log");
        Logger access = context.getLogger(LogLayout.ACCESS_LOGGER);
        access.setLevel(Level.INFO);
        access.addAppender(AccessLogAppender.create(context, file));
        access.info("\"GET /before\" 200");

        Path moved = dir.resolve("worker-1-access.log.2026-11-21");
        Files.move(file, moved);
        Awaitility.await().atMost(REOPEN_TIMEOUT).until(() -> Files.exists(file));
        access.info("\"GET /after\" 200");
        context.stop();

        String before = Files.readString(moved);
        String after = Files.readString(file);
        assertEquals(1, before.lines().count(), before);
        assertEquals(true, before.contains("\"GET /before\" 200"), before);
        assertEquals(1, after.lines().count(), after);
        assertEquals(true, after.contains("\"GET /after\" 200"), after);
    }

    private FileAppender<ILoggingEvent> followed(Path file) {
        return followed(file, false);
    }

    private FileAppender<ILoggingEvent> followed(Path file, boolean prudent) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%msg%n");
        encoder.start();
        FileAppender<ILoggingEvent> appender = new FileAppender<>();
        appender.setContext(context);
        appender.setFile(file.toString());
        appender.setPrudent(prudent);
        appender.setEncoder(encoder);
        appender.start();
        LogFileUpkeep.follow(appender);
        return appender;
    }
}
