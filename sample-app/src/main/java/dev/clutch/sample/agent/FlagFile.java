package dev.clutch.sample.agent;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValueFactory;
import dev.clutch.core.config.ClutchConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The flags file ({@code clutch.state.file}): one object per flag, {@code checkout-v2 { enabled = true, rollout =
 * 25 }}. Clutch's file state source publishes it; this class seeds it on first start and rewrites it when a worker
 * asks, atomically (a temporary file moved over the old one), so the source never reads half a file.
 */
@Singleton
final class FlagFile {

    private static final String SEED = "default-flags.conf";
    private final Path path;

    @Inject
    FlagFile(ClutchConfig config) {
        this.path = config.baseDir().resolve(config.stateFile());
    }

    Path path() {
        return path;
    }

    /** Writes the bundled example flags when there is no file yet. */
    synchronized void seedIfMissing() throws IOException {
        if (Files.exists(path)) {
            return;
        }
        try (InputStream seed = FlagFile.class.getClassLoader().getResourceAsStream(SEED)) {
            if (seed == null) {
                throw new IOException(SEED + " is missing from the application's resources");
            }
            Files.createDirectories(path.toAbsolutePath().getParent());
            Files.copy(seed, path);
        }
    }

    /** Every flag in the file: name → {@code {enabled, rollout}}. */
    synchronized Map<String, Config> read() {
        Config root = ConfigFactory.parseFile(path.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
        Map<String, Config> flags = new LinkedHashMap<>();
        for (String name : root.root().keySet()) {
            flags.put(name, root.getConfig(ConfigUtil.joinPath(name)));
        }
        return flags;
    }

    /**
     * Sets one flag, keeping the others and the comment the file opens with (written again as it was; other comments
     * do not survive, nor the order of the flags, which come back sorted).
     */
    synchronized void set(String name, boolean enabled, int rollout) throws IOException {
        String original = Files.readString(path, StandardCharsets.UTF_8);
        Config root = ConfigFactory.parseString(original, ConfigParseOptions.defaults().setOriginDescription(
                path.toString()));
        Config updated = root.withValue(ConfigUtil.joinPath(name),
                ConfigValueFactory.fromMap(Map.of("enabled", enabled, "rollout", rollout)));
        String text = openingComment(original) + updated.root().render(ConfigRenderOptions.defaults()
                .setOriginComments(false).setComments(false).setJson(false));
        Path temporary = Files.createTempFile(path.toAbsolutePath().getParent(), ".flags-", ".conf");
        try {
            Files.writeString(temporary, text, StandardCharsets.UTF_8);
            Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** The comment lines (and blank lines among them) before the first setting. */
    private static String openingComment(String text) {
        StringBuilder comment = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            String trimmed = line.strip();
            if (!trimmed.isEmpty() && !trimmed.startsWith("#") && !trimmed.startsWith("//")) {
                break;
            }
            comment.append(line).append('\n');
        }
        return comment.toString();
    }
}
