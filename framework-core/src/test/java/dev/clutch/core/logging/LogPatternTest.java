package dev.clutch.core.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

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
}
