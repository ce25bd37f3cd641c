package dev.clutch.agent.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clutch.core.testing.CapturedLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStateSourceTest {

    /** What the source published, as the agent's shared state would hold it. */
    private static final class Published implements SharedState {
        final Map<String, Object> values = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public void put(String key, Object value) {
            values.put(key, value);
        }

        @Override
        public void remove(String key) {
            values.remove(key);
        }

        @Override
        public void putAll(Map<String, ?> more) {
            values.putAll(more);
        }

        @Override
        public void update(Map<String, ?> puts, Set<String> removals) {
            values.putAll(puts);
            removals.forEach(values::remove);
        }
    }

    @TempDir
    Path dir;

    private static void publish(Path file, String prefix, SharedState state) throws IOException {
        FileStateSource source = new FileStateSource(file, prefix, Duration.ofSeconds(1));
        try {
            source.start(state);
        } finally {
            source.close();
        }
    }

    @Test
    void everyKeyOfAPropertiesFileIsAStateKeyAsWritten() throws IOException {
        Path file = Files.writeString(dir.resolve("state.properties"), "feature.a=on\nfeature.b=off\nfeature=x\n"
                + "plain=1\n");
        Published state = new Published();
        publish(file, "", state);
        assertEquals(Map.of("feature.a", "on", "feature.b", "off", "feature", "x", "plain", "1"), state.values);
    }

    @Test
    void hoconKeepsItsTopLevelKeysAndAQuotedDottedKeyWhole() throws IOException {
        Path file = Files.writeString(dir.resolve("state.conf"), "flag.a = on\n\"flag.b\" = off\n");
        Published state = new Published();
        publish(file, "s.", state);
        assertEquals(Map.of("s.flag", "{\"a\":\"on\"}", "s.flag.b", "off"), state.values);
    }

    @Test
    void aPropertiesFileThatDoesNotParseFailsTheStartNamingTheFile() throws IOException {
        Path file = Files.writeString(dir.resolve("bad.properties"), "key=\\u12\n");
        IOException refused = assertThrows(IOException.class, () -> publish(file, "", new Published()));
        assertTrue(refused.getMessage().contains(file.toString()), refused.getMessage());
    }

    @Test
    void anEmptiedFileKeepsTheLastGoodStateAndItsNextContentIsPublished() throws IOException {
        Path file = Files.writeString(dir.resolve("state.properties"), "a=1\nb=2\n");
        Published state = new Published();
        FileStateSource source = new FileStateSource(file, "", Duration.ofMillis(50));
        try {
            source.start(state);
            // A shell's "> state.properties" empties the file before it writes it.
            Files.writeString(file, "");
            org.awaitility.Awaitility.await("the state stays while the file is empty")
                    .during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                    .until(() -> state.values.equals(Map.of("a", "1", "b", "2")));
            Files.writeString(file, "a=3\n");
            org.awaitility.Awaitility.await("the new content is published").atMost(Duration.ofSeconds(5))
                    .until(() -> state.values.equals(Map.of("a", "3")));
        } finally {
            source.close();
        }
    }

    @Test
    void aDeletedFileIsSaidToBeGoneKeepsTheLastGoodStateAndItsReturnIsPublished() throws IOException {
        Path file = Files.writeString(dir.resolve("state.properties"), "a=1\n");
        Published state = new Published();
        FileStateSource source = new FileStateSource(file, "", Duration.ofMillis(50));
        try (CapturedLog logged = new CapturedLog(FileStateSource.class)) {
            source.start(state);
            Files.delete(file);
            org.awaitility.Awaitility.await("the deletion is logged as such").atMost(Duration.ofSeconds(5))
                    .until(() -> logged.contains("state file " + file + " is gone or cannot be read (deleted, or "
                            + "being replaced): the last good state stays published"));
            assertEquals(Map.of("a", "1"), state.values);
            assertTrue(!logged.contains("does not parse"), "a missing file is not a parse error");
            Files.writeString(file, "a=2\n");
            org.awaitility.Awaitility.await("the file that came back is published").atMost(Duration.ofSeconds(5))
                    .until(() -> state.values.equals(Map.of("a", "2")));
        } finally {
            source.close();
        }
    }

    @Test
    void aFileBeingWrittenAsTheSourceStartsIsPublishedOnceItHasBeenStillNotHalfWritten() throws Exception {
        // A writer that pauses between its two writes: the first half alone parses.
        Path file = Files.writeString(dir.resolve("state.conf"), "a = 1\n");
        ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor();
        Published state = new Published();
        try {
            writer.schedule(() -> Files.writeString(file, "a = 1\nb = 2\n"), 300, TimeUnit.MILLISECONDS);
            publish(file, "", state);
        } finally {
            writer.shutdownNow();
        }
        assertEquals(Map.of("a", "1", "b", "2"), state.values);
    }

    @Test
    void aDirectoryOrADanglingLinkIsRefusedSayingWhichItIs() throws IOException {
        Path directory = Files.createDirectory(dir.resolve("state.conf"));
        IOException refused = assertThrows(IOException.class, () -> publish(directory, "", new Published()));
        assertEquals("state file " + directory + " is a directory, not a file (clutch.state.file)",
                refused.getMessage());

        Path link = Files.createSymbolicLink(dir.resolve("flags.conf"), dir.resolve("gone.conf"));
        refused = assertThrows(IOException.class, () -> publish(link, "", new Published()));
        assertEquals("state file " + link + " does not exist (it is a symbolic link to " + dir.resolve("gone.conf")
                + ", which does not) (clutch.state.file)", refused.getMessage());
    }

    @Test
    void aPollIntervalUnderAMillisecondIsRefusedNamingTheFile() {
        Path file = dir.resolve("state.conf");
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> new FileStateSource(file, "", Duration.ofNanos(500)));
        assertEquals("the poll interval of state file " + file.toAbsolutePath() + " must be at least 1 ms, not 500 ns",
                refused.getMessage());
    }
}
