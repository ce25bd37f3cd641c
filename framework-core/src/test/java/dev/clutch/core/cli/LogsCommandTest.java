package dev.clutch.core.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.clutch.core.ipc.IpcTransport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogsCommandTest {

    @TempDir
    Path logDir;

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

    @Test
    void theLastLinesOfEveryProcessComeTogetherInTheOrderTheyWereWritten() throws IOException {
        write("master.log", line("10:00:00.100", "master", "launched agent"), line("10:00:03.000", "master", "ready"));
        write("agent.log", line("10:00:01.000", "agent", "failed to poll"), "java.io.IOException: refused",
                "\tat dev.acme.Poller.poll(Poller.java:12)", line("10:00:02.500", "agent", "polled"));
        write("worker-2.log", line("10:00:02.000", "worker-2", "serving"));
        write("worker-10.log", line("10:00:02.000", "worker-10", "serving"));
        write("worker-1-access.log", "127.0.0.1 - GET / 200");
        write("common-error.log", line("10:00:01.000", "agent", "failed to poll"));
        Files.writeString(logDir.resolve("worker-1.log"), line("10:00:02.000", "worker-1", "serving") + "\n"
                + "2026-12-03 10:00:04.000 INFO  [worker-1:3] half a line, still being wri");

        try (LogsCommand logs = new LogsCommand(logDir, List.of(), out)) {
            logs.tail(7);
        }

        assertEquals(List.of(
                "java.io.IOException: refused",
                "\tat dev.acme.Poller.poll(Poller.java:12)",
                line("10:00:02.000", "worker-1", "serving"),
                line("10:00:02.000", "worker-2", "serving"),
                line("10:00:02.000", "worker-10", "serving"),
                line("10:00:02.500", "agent", "polled"),
                line("10:00:03.000", "master", "ready")), printedLines());
    }

    @Test
    void aStackTraceCutByTheCountKeepsItsTimeAndIsNotTakenForTheOldest() throws IOException {
        write("master.log", line("10:00:00.000", "master", "one"), line("10:00:01.000", "master", "two"),
                line("10:00:02.000", "master", "three"), line("10:00:03.000", "master", "four"));
        write("agent.log", line("10:00:05.000", "agent", "failed to poll"), "java.io.IOException: refused",
                "\tat dev.acme.Poller.poll(Poller.java:12)", "\tat dev.acme.Agent.run(Agent.java:40)",
                "\tat java.base/java.lang.Thread.run(Thread.java:840)");

        try (LogsCommand logs = new LogsCommand(logDir, List.of(), out)) {
            logs.tail(3);
        }

        // The newest lines are the end of the agent's stack trace, logged after all of the master's.
        assertEquals(List.of("\tat dev.acme.Poller.poll(Poller.java:12)", "\tat dev.acme.Agent.run(Agent.java:40)",
                "\tat java.base/java.lang.Thread.run(Thread.java:840)"), printedLines());
    }

    @Test
    void aLogDirectoryThisUserMayNotReadIsExplained() throws IOException {
        // Root reads every directory; others cannot make this case.
        assumeFalse(IpcTransport.processUid() == 0, "root may read any directory");
        write("master.log", line("10:00:00.000", "master", "launched"));
        Files.setPosixFilePermissions(logDir, PosixFilePermissions.fromString("-wx------"));
        try {
            AccessDeniedException e = assertThrows(AccessDeniedException.class,
                    () -> new LogsCommand(logDir, List.of(), out).tail(20));

            assertTrue(e.getMessage().startsWith(logDir + ": this user may not read it: a log directory Clutch makes "
                    + "is its owner's and its group's (0750)"), e.getMessage());
        } finally {
            Files.setPosixFilePermissions(logDir, PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void theProcessesNamedAreShownAlone() throws IOException {
        write("master.log", line("10:00:00.000", "master", "launched"));
        write("agent.log", line("10:00:01.000", "agent", "ready"));
        write("worker-1.log", line("10:00:02.000", "worker-1", "ready"));
        write("worker-2.log", line("10:00:03.000", "worker-2", "ready"));

        try (LogsCommand logs = new LogsCommand(logDir, List.of("agent", "worker-2"), out)) {
            logs.tail(20);
        }
        assertEquals(List.of(line("10:00:01.000", "agent", "ready"), line("10:00:03.000", "worker-2", "ready")),
                printedLines());
        printed.reset();
        try (LogsCommand logs = new LogsCommand(logDir, List.of("workers"), out)) {
            logs.tail(20);
        }
        assertEquals(List.of(line("10:00:02.000", "worker-1", "ready"), line("10:00:03.000", "worker-2", "ready")),
                printedLines());
    }

    @Test
    void followingPrintsWhatTheLogsGainAlsoAfterARotation() throws Exception {
        write("master.log", line("10:00:00.000", "master", "started"));
        write("worker-1.log", line("10:00:00.000", "worker-1", "started"));
        LogsCommand logs = new LogsCommand(logDir, List.of(), out);
        logs.tail(0);
        assertEquals(List.of(), printedLines());
        Thread following = new Thread(() -> {
            try {
                logs.follow();
            } catch (InterruptedException stopped) {
                // As Ctrl-C would.
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, "follow");
        following.start();
        try {
            append("worker-1.log", line("10:00:01.000", "worker-1", "request served"));
            await("the new line").atMost(Duration.ofSeconds(10))
                    .until(() -> printedLines().contains(line("10:00:01.000", "worker-1", "request served")));

            // Rotated as LogRotation does it: renamed, a new file at the path, and the process writing to the renamed
            // one for a moment longer.
            Files.move(logDir.resolve("worker-1.log"), logDir.resolve("worker-1.log.2026-12-03"));
            write("worker-1.log", line("10:00:02.000", "worker-1", "in the new file"));
            append("worker-1.log.2026-12-03", line("10:00:01.900", "worker-1", "still in the renamed file"));
            write("worker-3.log", line("10:00:02.500", "worker-3", "a new worker"));
            await("the lines of both files and of the new worker").atMost(Duration.ofSeconds(10))
                    .until(() -> printedLines().containsAll(List.of(line("10:00:02.000", "worker-1",
                            "in the new file"), line("10:00:01.900", "worker-1", "still in the renamed file"),
                            line("10:00:02.500", "worker-3", "a new worker"))));
        } finally {
            following.interrupt();
            following.join(TimeUnit.SECONDS.toMillis(10));
            logs.close();
        }
        assertFalse(following.isAlive());
        assertEquals(4, printedLines().size(), "each line once: " + printedLines());
    }

    @Test
    void followingEndsOnceNothingReadsItsOutput() throws Exception {
        write("master.log", line("10:00:00.000", "master", "started"));
        Process head = new ProcessBuilder("head", "-n", "1").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try (LogsCommand logs = new LogsCommand(logDir, List.of(), new PrintStream(head.getOutputStream(), true,
                StandardCharsets.UTF_8))) {
            logs.tail(0);
            Thread following = new Thread(() -> {
                try {
                    logs.follow();
                } catch (InterruptedException | IOException e) {
                    throw new IllegalStateException(e);
                }
            }, "follow");
            following.start();
            try {
                append("master.log", line("10:00:01.000", "master", "the line head takes"));
                assertTrue(head.waitFor(10, TimeUnit.SECONDS), "head read its line and exited");
                append("master.log", line("10:00:02.000", "master", "a line no one reads"));
                following.join(TimeUnit.SECONDS.toMillis(10));
                assertFalse(following.isAlive(), "follow ended once its pipe was closed");
            } finally {
                following.interrupt();
                following.join(TimeUnit.SECONDS.toMillis(10));
            }
        } finally {
            head.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aLogDirectoryThatDoesNotExistIsNamed() {
        NoSuchFileException e = assertThrows(NoSuchFileException.class,
                () -> new LogsCommand(logDir.resolve("nowhere"), List.of(), out).tail(20));

        assertTrue(e.getMessage().contains(logDir.resolve("nowhere") + " (clutch.logDir) does not exist"),
                e.getMessage());
    }

    private static String line(String time, String process, String text) {
        return "2026-12-03 " + time + " INFO  [" + process + ":42] [main] dev.acme.App - " + text;
    }

    private void write(String file, String... lines) throws IOException {
        Files.writeString(logDir.resolve(file), String.join("\n", lines) + "\n");
    }

    private void append(String file, String line) throws IOException {
        Files.writeString(logDir.resolve(file), line + "\n", StandardOpenOption.APPEND);
    }

    private List<String> printedLines() {
        return printed.toString(StandardCharsets.UTF_8).lines().toList();
    }
}
