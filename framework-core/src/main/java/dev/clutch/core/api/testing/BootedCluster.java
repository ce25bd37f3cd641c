package dev.clutch.core.api.testing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;

/** An application booted for a test class; closing it stops everything it started and removes its files. */
abstract class BootedCluster implements TestCluster, ExtensionContext.Store.CloseableResource {

    private final Path baseDir;

    BootedCluster(Path baseDir) {
        this.baseDir = baseDir;
    }

    static BootedCluster boot(ClutchTest settings) {
        Path baseDir;
        try {
            baseDir = Files.createTempDirectory("clutch-test-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the base directory of the application under test", e);
        }
        try {
            copyResources(settings, baseDir);
            Config overrides = overrides(settings, baseDir);
            AppUnderTest app = AppUnderTest.load(settings.value(), settings.env(), overrides);
            return settings.mode() == ClutchTest.Mode.SINGLE ? InProcessCluster.start(app, baseDir)
                    : ForkedCluster.start(app, overrides, baseDir);
        } catch (IOException e) {
            deleteQuietly(baseDir);
            throw new UncheckedIOException("cannot prepare the base directory of the application under test", e);
        } catch (RuntimeException | Error e) {
            deleteQuietly(baseDir);
            throw e;
        }
    }

    /**
     * The test's own settings over the test kit's: loopback, a free port, the temporary base directory, and the
     * mode the test asked for (whatever {@code CLUTCH_MODE} or the application's files say).
     */
    static Config overrides(ClutchTest settings, Path baseDir) {
        Config own = ConfigFactory.parseString(String.join("\n", settings.config()),
                ConfigParseOptions.defaults().setOriginDescription("@ClutchTest(config) of "
                        + settings.value().getSimpleName()));
        Map<String, Object> kit = Map.of(
                "clutch.baseDir", baseDir.toString(),
                "clutch.env", settings.env(),
                "clutch.http.host", "127.0.0.1",
                "clutch.http.port", 0,
                "clutch.workers", settings.workers());
        Config base = ConfigFactory.empty("@ClutchTest");
        for (Map.Entry<String, Object> entry : kit.entrySet()) {
            base = base.withValue(entry.getKey(), ConfigValueFactory.fromAnyRef(entry.getValue()));
        }
        // The mode is the annotation's even over the test's own lines: the kit boots what the annotation says.
        Config mode = ConfigFactory.empty("@ClutchTest(mode)").withValue("clutch.mode",
                ConfigValueFactory.fromAnyRef(settings.mode() == ClutchTest.Mode.SINGLE ? "single" : "multi"));
        return mode.withFallback(own).withFallback(base);
    }

    private static void copyResources(ClutchTest settings, Path baseDir) throws IOException {
        for (String resource : settings.files()) {
            String name = resource.startsWith("/") ? resource.substring(1) : resource;
            try (InputStream in = settings.value().getClassLoader().getResourceAsStream(name)) {
                if (in == null) {
                    throw new IOException("@ClutchTest(files) names " + resource + ", which is not on the test "
                            + "classpath: put it under src/test/resources");
                }
                Path target = baseDir.resolve(Path.of(name).getFileName().toString());
                if (Files.exists(target)) {
                    throw new IOException("@ClutchTest(files) names two resources called " + target.getFileName()
                            + " (" + resource + " among them): each is copied into the base directory by its file "
                            + "name");
                }
                Files.copy(in, target);
            }
        }
    }

    @Override
    public Path baseDir() {
        return baseDir;
    }

    @Override
    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    /** Stops what this mode started. */
    abstract void stop();

    @Override
    public final void close() {
        try {
            stop();
        } finally {
            deleteQuietly(baseDir);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // A temporary directory left behind is not worth failing a test for.
        }
    }

    /**
     * The {@code -D} flags that set each key of {@code overrides} to its value in {@code resolved} (the whole
     * configuration, where substitutions such as {@code ${clutch.worker.jvmArgs} [...]} have their values): list
     * items as {@code key.0}, {@code key.1}, objects key by key.
     *
     * @throws IllegalArgumentException for what system properties cannot express, so that the cluster would run
     *     on other settings than the test asked for: an empty list, a null, a key with a dot in one of its names
     */
    static Stream<String> asSystemProperties(Config overrides, Config resolved) {
        Stream.Builder<String> flags = Stream.builder();
        addOverrides(flags, List.of(), overrides.root(), resolved);
        return flags.build();
    }

    /** Walks the test's own objects; a value that is not one is taken as resolved (it may be a substitution). */
    private static void addOverrides(Stream.Builder<String> flags, List<String> path, ConfigObject own,
                                     Config resolved) {
        own.forEach((name, value) -> {
            List<String> child = append(path, name);
            String key = ConfigUtil.joinPath(child);
            if (value instanceof ConfigObject object) {
                addOverrides(flags, child, object, resolved);
            } else if (!resolved.hasPathOrNull(key)) {
                // ${?VAR} with VAR unset: the test sets nothing there, and neither does the master.
                return;
            } else if (resolved.getIsNull(key)) {
                throw notPassable(key, "to null");
            } else {
                addFlags(flags, key, child, resolved.getValue(key));
            }
        });
    }

    private static void addFlags(Stream.Builder<String> flags, String key, List<String> path, ConfigValue value) {
        if (value instanceof ConfigList list) {
            if (list.isEmpty()) {
                throw notPassable(key, "to an empty list");
            }
            for (int i = 0; i < list.size(); i++) {
                addFlags(flags, key + "." + i, append(path, Integer.toString(i)), list.get(i));
            }
        } else if (value instanceof ConfigObject object) {
            object.forEach((name, item) -> addFlags(flags, ConfigUtil.joinPath(append(path, name)),
                    append(path, name), item));
        } else if (value.valueType() == ConfigValueType.NULL) {
            throw notPassable(key, "to null");
        } else if (path.stream().anyMatch(name -> name.contains("."))) {
            // A system property's name is split at every dot: the quotes that keep one in a name are lost.
            throw notPassable(key, "(a key with a dot in one of its names)");
        } else {
            flags.add("-D" + String.join(".", path) + "=" + value.unwrapped());
        }
    }

    private static List<String> append(List<String> path, String name) {
        List<String> longer = new ArrayList<>(path);
        longer.add(name);
        return longer;
    }

    private static IllegalArgumentException notPassable(String key, String what) {
        return new IllegalArgumentException("@ClutchTest(config) sets " + key + " " + what + ", which mode MULTI "
                + "cannot pass to the master (as system properties): set it in application-<env>.conf of the "
                + "test's env instead");
    }
}
