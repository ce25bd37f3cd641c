package dev.clutch.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CommandLineTest {

    @Test
    void startIsTheDefaultCommandAndFlagsBecomeConfiguration() {
        CommandLine line = CommandLine.parse(List.of("--workers", "3", "--port", "8080", "--env", "staging"));
        assertEquals("start", line.command());
        assertEquals("staging", line.env());
        assertEquals(Map.of("clutch.workers", 3, "clutch.http.port", 8080), line.overrides());
    }

    @Test
    void unknownArgumentIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CommandLine.parse(List.of("start", "--wrokers", "3")));
        assertEquals("unknown argument '--wrokers'", e.getMessage());
    }

    @Test
    void flagWithoutItsValueSaysSo() {
        assertEquals("--port needs a value",
                assertThrows(IllegalArgumentException.class, () -> CommandLine.parse(List.of("--port"))).getMessage());
        assertEquals("--workers takes a whole number, not 'two'", assertThrows(IllegalArgumentException.class,
                () -> CommandLine.parse(List.of("--workers", "two"))).getMessage());
    }
}
