package dev.clutch.agent.api;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.clutch.core.logging.Plural;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a HOCON, JSON or properties file as shared state and follows its changes: in HOCON and JSON each
 * top-level key becomes a state key (with {@code prefix} before it), its value a string (objects and lists as JSON),
 * so {@code flag.a = on} is the key {@code flag} holding {@code {"a":"on"}} and {@code "flag.a" = on} the key
 * {@code flag.a}; in a {@code .properties} file every key is a state key as written. A change is published once the
 * file has been still for one poll interval and did not change while it was read, so a half-written file is never
 * published; a file that does not parse, or an empty one (a writer that truncated it first), keeps the last good
 * state and is logged, with its line when it does not parse.
 */
public final class FileStateSource implements StateSource {

    private static final Logger log = LoggerFactory.getLogger(FileStateSource.class);

    /** Reads at the start before a file that keeps changing is taken as it is. */
    private static final int START_READS = 10;

    private final Path file;
    private final String prefix;
    private final Duration pollInterval;
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "clutch-state-file");
        t.setDaemon(true);
        return t;
    });
    private Map<String, String> published = Map.of();
    private Stamp lastSeen;
    private Stamp lastRead;
    /** Whether a good state was published: until then there is none to keep when the file does not parse. */
    private volatile boolean started;

    /**
     * @param file the file to publish; a relative path is taken from the working directory, not from
     *     {@code clutch.baseDir}: resolve it against that setting of the injected {@code com.typesafe.config.Config}
     *     first, as the source behind {@code clutch.state.file} does
     * @param prefix put before every key the file has
     * @param pollInterval how often the file is checked for a change, at least 1 ms
     * @throws IllegalArgumentException when an argument is missing or the interval is under 1 ms
     */
    public FileStateSource(Path file, String prefix, Duration pollInterval) {
        if (file == null || prefix == null || pollInterval == null) {
            throw new IllegalArgumentException("FileStateSource needs a file, a prefix (\"\" for none) and a poll "
                    + "interval; got " + file + ", " + prefix + ", " + pollInterval);
        }
        if (pollInterval.toMillis() < 1) {
            throw new IllegalArgumentException("the poll interval of state file " + file + " must be at least 1 ms, "
                    + "not " + pollInterval.toNanos() + " ns");
        }
        this.file = file.toAbsolutePath();
        this.prefix = prefix;
        this.pollInterval = pollInterval;
    }

    @Override
    public void start(SharedState state) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException("state file " + file + " is a directory, not a file (clutch.state.file)");
        }
        if (!Files.isRegularFile(file)) {
            String link = Files.isSymbolicLink(file)
                    ? " (it is a symbolic link to " + target(file) + ", which does not)" : "";
            throw new IOException("state file " + file + " does not exist" + link + " (clutch.state.file)");
        }
        Map<String, String> initial = readWhileStill();
        if (initial == null) {
            throw new IOException("state file " + file + " was not published: the error above says why");
        }
        if (lastSeen.size() == 0) {
            log.warn("state file {} is empty: no keys are published until it has some", file);
        }
        publish(state, initial);
        started = true;
        lastRead = lastSeen;
        long millis = pollInterval.toMillis();
        poller.scheduleWithFixedDelay(() -> poll(state), millis, millis, TimeUnit.MILLISECONDS);
        log.info("publishing {} as shared state ({} keys)", file, initial.size());
    }

    /**
     * The file's values as of one stamp: a file written to while it is read (an editor saving as the agent starts)
     * is read again, a few times at most, so the start does not publish half of it.
     */
    private Map<String, String> readWhileStill() {
        awaitStill();
        for (int attempt = 1; ; attempt++) {
            lastSeen = stamp();
            Map<String, String> values = read();
            if (values == null || stamp().equals(lastSeen) || attempt == START_READS) {
                return values;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    /**
     * Until the file was last written one poll interval ago (at most a second, and {@link #START_READS} waits): a
     * writer that pauses between two writes (a deploy script writing the file in place as the agent starts) must
     * not have the start publish its first half, which the poll would replace a moment later.
     */
    private void awaitStill() {
        long stillMillis = Math.min(pollInterval.toMillis(), 1000);
        for (int wait = 0; wait < START_READS; wait++) {
            Stamp now = stamp();
            long age = System.currentTimeMillis() - now.modifiedMillis();
            // A time ahead of the clock (a file copied from another host) says nothing about the writer: no wait.
            if (now.equals(Stamp.MISSING) || age >= stillMillis || age < 0) {
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(stillMillis - age));
        }
    }

    private void poll(SharedState state) {
        // A task that throws would be cancelled without a word: catch everything.
        try {
            Stamp now = stamp();
            boolean stillSinceLastPoll = now.equals(lastSeen);
            lastSeen = now;
            if (!stillSinceLastPoll || now.equals(lastRead)) {
                return;
            }
            lastRead = now;
            if (now.equals(Stamp.MISSING)) {
                log.warn("state file {} is gone or cannot be read (deleted, or being replaced): the last good state "
                        + "stays published", file);
                return;
            }
            if (now.size() == 0) {
                // Empty: most likely a writer that truncated the file and has not written it yet (a shell's
                // redirection does that), not a wish to remove every key from every worker.
                log.warn("state file {} is empty: the last good state stays published (write {{}} to publish no "
                        + "keys)", file);
                return;
            }
            Map<String, String> values = read();
            if (values != null && stamp().equals(now)) {
                publish(state, values);
            } else if (values != null) {
                // Written to while it was read: read again once it is still.
                lastRead = null;
            }
        } catch (RuntimeException | Error e) {
            // An Error too (a file nested deep enough to overflow the parser's stack): the file is still followed.
            log.error("state file {}: {}; the last good state stays published", file, e.toString(), e);
        }
    }

    /**
     * What tells one version of the file from another. The file key (inode) too: a file replaced by a move may keep
     * its size and, within the file system's time granularity, its modification time.
     */
    private record Stamp(long modifiedMillis, long size, Object fileKey) {
        static final Stamp MISSING = new Stamp(-1, -1, null);
    }

    private Stamp stamp() {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(attributes.lastModifiedTime().toMillis(), attributes.size(), attributes.fileKey());
        } catch (IOException e) {
            return Stamp.MISSING;
        }
    }

    /** The file's values, or {@code null} (logged) when it does not parse. */
    private Map<String, String> read() {
        String kept = started ? ", the last good state stays published" : "";
        if (file.getFileName().toString().endsWith(".properties")) {
            // Typesafe Config would read dotted keys as paths: "a.b" and "a" would become one object, "a" lost.
            Properties properties = new Properties();
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                properties.load(reader);
            } catch (CharacterCodingException e) {
                log.error("state file {} is not UTF-8 text{}", file, kept);
                return null;
            } catch (IOException e) {
                log.error("state file {} cannot be read{}: {}", file, kept, e.toString());
                return null;
            } catch (IllegalArgumentException e) {
                // Properties says only what is wrong (a malformed unicode escape), never on which line.
                log.error("state file {} does not parse{}: {} (the properties format does not tell the line)", file,
                        kept, e.getMessage());
                return null;
            }
            Map<String, String> values = new HashMap<>();
            properties.stringPropertyNames().forEach(key -> values.put(prefix + key, properties.getProperty(key)));
            return values;
        }
        try {
            Config config = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false))
                    .resolve();
            Map<String, String> values = new HashMap<>();
            for (Map.Entry<String, ConfigValue> entry : config.root().entrySet()) {
                ConfigValue value = entry.getValue();
                values.put(prefix + entry.getKey(), value.valueType() == ConfigValueType.STRING
                        ? (String) value.unwrapped()
                        : value.render(ConfigRenderOptions.concise()));
            }
            return values;
        } catch (ConfigException.IO e) {
            log.error("state file {} cannot be read{}: {}", file, kept, e.getMessage());
            return null;
        } catch (ConfigException e) {
            log.error("state file {} does not parse{}: {}", file, kept, e.getMessage());
            return null;
        }
    }

    private static String target(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException e) {
            return "a path that cannot be read";
        }
    }

    private void publish(SharedState state, Map<String, String> values) {
        Map<String, String> puts = new HashMap<>();
        values.forEach((key, value) -> {
            if (!Objects.equals(published.get(key), value)) {
                puts.put(key, value);
            }
        });
        Set<String> removals = new HashSet<>(published.keySet());
        removals.removeAll(values.keySet());
        if (!puts.isEmpty() || !removals.isEmpty()) {
            state.update(puts, removals);
            log.info("state file {}: {} changed, {} removed", file, Plural.of(puts.size(), "key"), removals.size());
        }
        published = Map.copyOf(values);
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }
}
