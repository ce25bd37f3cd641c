package dev.clutch.core.api.testing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
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
            copyResources(settings, baseDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the base directory of the application under test", e);
        }
        Config overrides = overrides(settings, baseDir);
        try {
            return settings.mode() == ClutchTest.Mode.SINGLE
                    ? InProcessCluster.start(AppUnderTest.load(settings.value(), settings.env(), overrides), baseDir)
                    : ForkedCluster.start(AppUnderTest.load(settings.value(), settings.env(), overrides), overrides,
                            baseDir);
        } catch (RuntimeException | Error e) {
            deleteQuietly(baseDir);
            throw e;
        }
    }

    /** The test's own settings over the test kit's: loopback, a free port, the temporary base directory. */
    private static Config overrides(ClutchTest settings, Path baseDir) {
        Config own = ConfigFactory.parseString(String.join("\n", settings.config()));
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
        return own.withFallback(base);
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

    /** Each leaf value of {@code config}, as the {@code -D} flags that set it ({@code key.0} for list items). */
    static Stream<String> asSystemProperties(Config config) {
        return config.entrySet().stream().flatMap(entry -> flags(entry.getKey(), entry.getValue()));
    }

    private static Stream<String> flags(String key, ConfigValue value) {
        if (value.unwrapped() instanceof java.util.List<?> items) {
            Stream.Builder<String> flags = Stream.builder();
            for (int i = 0; i < items.size(); i++) {
                flags.add("-D" + key + "." + i + "=" + items.get(i));
            }
            return flags.build();
        }
        return Stream.of("-D" + key + "=" + value.unwrapped());
    }
}
