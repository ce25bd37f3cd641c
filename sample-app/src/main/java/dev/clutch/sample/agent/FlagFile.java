package dev.clutch.sample.agent;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import dev.clutch.core.config.ClutchConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The flags file ({@code clutch.state.file}): one object per flag, {@code checkout-v2 { enabled = true, rollout =
 * 25 }}. Clutch's file state source publishes it; this class seeds it on first start and rewrites it when a worker
 * asks, atomically (a temporary file moved over the old one), so the source never reads half a file.
 */
@Singleton
final class FlagFile {

    private static final String SEED = "default-flags.conf";
    /** Rewrites of a file that changed meanwhile, at most, before a PUT fails. */
    private static final int WRITE_ATTEMPTS = 5;
    /** An include at the start of a line, or a substitution: HOCON the rewrite cannot keep. */
    private static final Pattern USES_INCLUDES_OR_SUBSTITUTIONS =
            Pattern.compile("(?m)^\\s*include\\b|\\$\\{");
    private final Path path;

    @Inject
    FlagFile(ClutchConfig config) {
        this.path = config.baseDir().resolve(config.stateFile());
        if (path.getFileName().toString().endsWith(".properties")) {
            // Clutch publishes each key of a properties file on its own (flag.a.enabled): no flag object would reach
            // the workers, which would serve none.
            throw new IllegalArgumentException("clutch.state.file = " + config.stateFile() + ": this application keeps "
                    + "each flag as one object ({enabled, rollout}), which a properties file cannot hold: use a "
                    + ".conf (HOCON) or .json file");
        }
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
            ConfigSyntax syntax = syntaxOf(path);
            if (syntax == ConfigSyntax.CONF) {
                Files.copy(seed, path);
                return;
            }
            // A flags.json gets the example as JSON.
            String example = new String(seed.readAllBytes(), StandardCharsets.UTF_8);
            Files.writeString(path, render(ConfigFactory.parseString(example), syntax, openingComment(example)));
        }
    }

    /** Every entry of the file, sorted by flag name: an object ({@code {enabled, rollout}}) when it is valid. */
    synchronized Map<String, ConfigValue> read() {
        Config root = ConfigFactory.parseFile(path.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
        return new TreeMap<>(root.root());
    }

    /**
     * Sets one flag's {@code enabled} and {@code rollout}, keeping its other fields, the other flags and, in a HOCON
     * file, the comment the file opens with (written again as it was; other comments do not survive, nor the order
     * of the flags, which come back sorted). The file keeps its format (by its extension), its permissions, and the
     * link it may be reached through.
     *
     * @throws IllegalStateException when the file includes others or uses substitutions, which a rewrite would lose
     */
    synchronized void set(String name, boolean enabled, int rollout) throws IOException {
        for (int attempt = 1; ; attempt++) {
            // An editor writes through a link to the file it names: the link stays, as it does for them.
            Path target = path.toRealPath();
            Stamp read = Stamp.of(target);
            String original = Files.readString(target, StandardCharsets.UTF_8);
            if (replace(target, updated(target, original, name, enabled, rollout), read)) {
                return;
            }
            if (attempt == WRITE_ATTEMPTS) {
                throw new IllegalStateException(target + " changed " + WRITE_ATTEMPTS + " times while it was being "
                        + "rewritten (edited by hand, or by a script): try again once it is left alone");
            }
        }
    }

    /** {@code original}, the text of {@code target}, with the flag set. */
    private static String updated(Path target, String original, String name, boolean enabled, int rollout) {
        ConfigSyntax syntax = syntaxOf(target);
        if (syntax == ConfigSyntax.CONF && USES_INCLUDES_OR_SUBSTITUTIONS.matcher(original).find()) {
            throw new IllegalStateException(target + " includes other files or uses substitutions (${...}), which a "
                    + "rewrite would lose: change it by hand");
        }
        Config root = ConfigFactory.parseString(original, ConfigParseOptions.defaults().setSyntax(syntax)
                .setOriginDescription(target.toString()));
        String flag = ConfigUtil.joinPath(name);
        Config fields = root.hasPath(flag) && root.getValue(flag).valueType() == ConfigValueType.OBJECT
                ? root.getConfig(flag) : ConfigFactory.empty();
        Config updated = root.withValue(flag, fields
                .withValue("enabled", ConfigValueFactory.fromAnyRef(enabled))
                .withValue("rollout", ConfigValueFactory.fromAnyRef(rollout)).root());
        return render(updated, syntax, openingComment(original));
    }

    /** What tells one version of the file from another: a move gives a new file key, an edit a new time or size. */
    private record Stamp(FileTime modified, long size, Object fileKey) {
        static Stamp of(Path file) throws IOException {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(attributes.lastModifiedTime(), attributes.size(), attributes.fileKey());
        }
    }

    /**
     * Writes {@code text} in place of {@code target} at once: readers see the old file or the new, never half.
     *
     * @return false, leaving the file as it is, when it changed since it was read as {@code read}: an edit made
     *     meanwhile (by hand, to another flag) would be lost, so the change is applied to it again instead
     */
    private static boolean replace(Path target, String text, Stamp read) throws IOException {
        Path temporary = Files.createTempFile(target.getParent(), ".flags-", ".tmp");
        try {
            // Created owner-only: the file keeps what its owner gave it (a group that reads it, say).
            Files.setPosixFilePermissions(temporary, Files.getPosixFilePermissions(target));
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                // On disk before the rename: a crash right after it must not leave an empty flags file.
                channel.force(true);
            }
            // Checked as late as it can be: an edit saved in the instant between this and the move is still lost
            // (editors take no lock this file could hold), but not one made while the file was read and written.
            if (!Stamp.of(target).equals(read)) {
                return false;
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return true;
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private static ConfigSyntax syntaxOf(Path file) {
        return file.getFileName().toString().endsWith(".json") ? ConfigSyntax.JSON : ConfigSyntax.CONF;
    }

    private static String render(Config flags, ConfigSyntax syntax, String comment) {
        return switch (syntax) {
            // JSON has no comments.
            case JSON -> flags.root().render(ConfigRenderOptions.concise().setFormatted(true).setJson(true)) + "\n";
            default -> comment + flags.root().render(ConfigRenderOptions.defaults().setOriginComments(false)
                    .setComments(false).setJson(false));
        };
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
