package dev.clutch.core.config;

import com.typesafe.config.ConfigOrigin;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Where a config value came from, in the words an error message needs: file or source, and line. */
public final class Origins {

    /** A file of a Maven build's output directory, as a path or a {@code file:} URL names it. */
    private static final Pattern BUILT_FILE = Pattern.compile("(?:file:)?(/[^\\s:]*?)/target/classes/([^\\s:,]+)");

    private Origins() {
    }

    public static String describe(ConfigOrigin origin) {
        String where = origin.filename() != null ? origin.filename()
                : origin.resource() != null ? origin.resource()
                : origin.description();
        return origin.lineNumber() > 0 && !where.contains(": " + origin.lineNumber())
                ? editable(where) + ", line " + origin.lineNumber()
                : editable(where);
    }

    /**
     * The text with each file of a Maven project's {@code target/classes} named by its source in
     * {@code src/main/resources}, where one exists: under {@code mvn exec:java} the configuration is read from the
     * build's copy, but the file to fix is the source (an edit of the copy is lost at the next build).
     */
    public static String editable(String text) {
        Matcher built = BUILT_FILE.matcher(text);
        StringBuilder result = new StringBuilder();
        while (built.find()) {
            String replacement = built.group();
            try {
                Path source = Path.of(built.group(1), "src", "main", "resources", built.group(2));
                if (Files.isRegularFile(source)) {
                    replacement = source + " (as built into target/classes)";
                }
            } catch (InvalidPathException notAPath) {
                // Left as the configuration library wrote it.
            }
            built.appendReplacement(result, Matcher.quoteReplacement(replacement));
        }
        return built.appendTail(result).toString();
    }
}
