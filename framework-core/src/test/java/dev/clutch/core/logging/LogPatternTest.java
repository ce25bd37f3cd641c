package dev.clutch.core.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a log line keeps of a message that carries a client's text. */
class LogPatternTest {

    @Test
    void aMessageCanNeitherStartAForgedEntryNorCarryTerminalControls() {
        LoggerContext context = TestLoggerContexts.ofWorker();
        PatternLayoutEncoder encoder = LogLayout.encoder(context);
        String path = "/a\n2026-12-01 03:00:00.000 ERROR [master:1] [main] x - forged\u001b[2J\r";
        LoggingEvent event = new LoggingEvent("test", context.getLogger("test"), Level.ERROR,
                "GET {} failed", null, new Object[] {path});

        String line = new String(encoder.encode(event), StandardCharsets.UTF_8);

        String message = line.substring(line.indexOf(" - ") + 3);
        assertEquals("GET /a\n\t2026-12-01 03:00:00.000 ERROR [master:1] [main] x - forged?[2J? failed"
                + System.lineSeparator(), message);
    }

    @Test
    void aLogFileThatCannotBeOpenedIsSaidOnStderrNotOnlyToLogbacksStatusManager(@TempDir Path dir) {
        LoggerContext context = TestLoggerContexts.ofWorker();
        LogLayout.reportLogbackErrors(context);
        LogLayout.reportLogbackErrors(context);
        PrintStream stderr = System.err;
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        System.setErr(new PrintStream(said, true, StandardCharsets.UTF_8));
        try {
            FileAppender<ILoggingEvent> file = new FileAppender<>();
            file.setContext(context);
            file.setEncoder(LogLayout.encoder(context));
            // A directory where the file should be: it cannot be opened.
            file.setFile(dir.toString());
            file.start();
        } finally {
            System.setErr(stderr);
        }
        String text = said.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("ERROR") && text.contains(dir.toString()), text);
        assertEquals(1, text.lines().filter(l -> l.contains("ERROR")).count(), "one listener, not two: " + text);
    }
}
