package dev.clutch.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    void operatorCommandsAndTheirOptions() {
        assertTrue(CommandLine.parse(List.of("start", "--daemon")).daemon());
        assertTrue(CommandLine.parse(List.of("status", "--json")).json());
        assertEquals(12, CommandLine.parse(List.of("stop", "--timeout", "12")).timeoutSeconds());
        assertEquals(List.of("4"), CommandLine.parse(List.of("scale", "4")).arguments());
        assertEquals("reload", CommandLine.parse(List.of("reload")).command());
        assertTrue(CommandLine.parse(List.of("reload", "--agent")).agent());
        assertEquals(false, CommandLine.parse(List.of("reload")).agent());
        assertEquals(600, CommandLine.parse(List.of("reload", "--timeout", "600")).timeoutSeconds());
    }

    @Test
    void timeoutIsAnOptionOfStopAndReloadInWholeSeconds() {
        assertEquals("--timeout is an option of stop and reload, not of scale", assertThrows(
                IllegalArgumentException.class, () -> CommandLine.parse(List.of("scale", "2", "--timeout", "5")))
                .getMessage());
        assertEquals("--timeout takes a number of seconds, 1 or more, not 0", assertThrows(
                IllegalArgumentException.class, () -> CommandLine.parse(List.of("stop", "--timeout", "0")))
                .getMessage());
    }

    @Test
    void helpBeforeOrAfterACommandAsksForTheUsage() {
        assertEquals("help", CommandLine.parse(List.of("--help", "stop")).command());
        assertEquals("help", CommandLine.parse(List.of("stop", "--help")).command());
        // After the command's own options and arguments too.
        assertEquals("help", CommandLine.parse(List.of("reload", "--agent", "--help")).command());
        assertEquals("help", CommandLine.parse(List.of("logs", "-f", "--help")).command());
        assertEquals("help", CommandLine.parse(List.of("scale", "4", "--help")).command());
    }

    @Test
    void logsTakesHowManyLinesAndWhetherToFollow() {
        CommandLine plain = CommandLine.parse(List.of("logs"));
        assertEquals(20, plain.logLines());
        assertEquals(false, plain.follow());
        CommandLine following = CommandLine.parse(List.of("logs", "-n", "100", "--follow"));
        assertEquals(100, following.logLines());
        assertTrue(following.follow());
        assertEquals("--follow is an option of logs, not of status", assertThrows(IllegalArgumentException.class,
                () -> CommandLine.parse(List.of("status", "-f"))).getMessage());
        assertEquals(List.of("agent", "worker-2"), CommandLine.parse(List.of("logs", "agent", "worker-2")).arguments());
        assertEquals("logs takes processes to show: master, agent, workers or worker-N, not 'worker'",
                assertThrows(IllegalArgumentException.class, () -> CommandLine.parse(List.of("logs", "worker")))
                        .getMessage());
        assertEquals("--lines takes a number of lines, 0 or more, not -1", assertThrows(
                IllegalArgumentException.class, () -> CommandLine.parse(List.of("logs", "--lines", "-1")))
                .getMessage());
    }

    @Test
    void agentIsAnOptionOfReloadOnly() {
        assertEquals("--agent is an option of reload, not of stop", assertThrows(IllegalArgumentException.class,
                () -> CommandLine.parse(List.of("stop", "--agent"))).getMessage());
    }

    @Test
    void startOptionsAreRefusedByTheOtherCommands() {
        assertEquals("--port is an option of start, not of stop", assertThrows(IllegalArgumentException.class,
                () -> CommandLine.parse(List.of("stop", "--port", "8081"))).getMessage());
        assertEquals("--workers is an option of start, not of scale: scale N sets the number of workers",
                assertThrows(IllegalArgumentException.class,
                        () -> CommandLine.parse(List.of("scale", "3", "--workers", "3"))).getMessage());
        assertEquals("--daemon is an option of start, not of reload", assertThrows(IllegalArgumentException.class,
                () -> CommandLine.parse(List.of("--daemon", "reload"))).getMessage());
        assertEquals("--single is an option of start, not of logs", assertThrows(IllegalArgumentException.class,
                () -> CommandLine.parse(List.of("logs", "--single"))).getMessage());
        assertEquals("--json is an option of status and state, not of stop", assertThrows(
                IllegalArgumentException.class, () -> CommandLine.parse(List.of("stop", "--json"))).getMessage());
        // --env names the instance's configuration for every command.
        assertEquals("prod", CommandLine.parse(List.of("status", "--env", "prod", "--json")).env());
        assertEquals(3, CommandLine.parse(List.of("--workers", "3", "--daemon")).overrides().get("clutch.workers"));
    }

    @Test
    void unknownOptionOrCommandIsNamed() {
        assertEquals("unknown option '--wrokers'", assertThrows(IllegalArgumentException.class,
                () -> CommandLine.parse(List.of("start", "--wrokers", "3"))).getMessage());
        assertEquals("unknown command 'restart'", assertThrows(IllegalArgumentException.class,
                () -> CommandLine.parse(List.of("restart"))).getMessage());
    }

    @Test
    void scaleNeedsOneNumber() {
        for (List<String> bad : List.of(List.of("scale"), List.of("scale", "x"), List.of("scale", "2", "3"),
                List.of("scale", "-1"))) {
            assertEquals("scale takes one number of workers, e.g. 'scale 4'",
                    assertThrows(IllegalArgumentException.class, () -> CommandLine.parse(bad)).getMessage());
        }
    }

    @Test
    void flagWithoutItsValueSaysSo() {
        assertEquals("--port needs a value",
                assertThrows(IllegalArgumentException.class, () -> CommandLine.parse(List.of("--port"))).getMessage());
        assertEquals("--workers takes a whole number, not 'two'", assertThrows(IllegalArgumentException.class,
                () -> CommandLine.parse(List.of("--workers", "two"))).getMessage());
    }
}
