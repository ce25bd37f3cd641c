package dev.clutch.core.config;

import com.typesafe.config.ConfigOrigin;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Where a config value came from, in the words an error message needs: file or source, and line. */
public final class Origins {

    /** A file of a Maven build's output directories, as a path or a {@code file:} URL names it. */
    private static final Pattern BUILT_FILE =
            Pattern.compile("(?:file:)?(/[^\\s:]*?)/target/(classes|test-classes)/([^\\s:,]+)");

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
     * The text with each file of a Maven project's {@code target/classes} (or {@code target/test-classes}) named
     * by its source in {@code src/main/resources} (or {@code src/test/resources}), where one exists: under
     * {@code mvn exec:java} the configuration is read from the build's copy, but the file to fix is the source (an
     * edit of the copy is lost at the next build).
     */
    public static String editable(String text) {
        Matcher built = BUILT_FILE.matcher(text);
        StringBuilder result = new StringBuilder();
        while (built.find()) {
            String output = built.group(2);
            String replacement = source(built.group(1), output, built.group(3))
                    // The library names a file of a file: URL by the URL's path, escapes and all (a space as %20).
                    .or(() -> source(unescaped(built.group(1)), output, unescaped(built.group(3))))
                    .map(source -> source + " (as built into target/" + output + ")")
                    .orElse(built.group());
            built.appendReplacement(result, Matcher.quoteReplacement(replacement));
        }
        return built.appendTail(result).toString();
    }

    private static Optional<Path> source(String project, String output, String file) {
        try {
            Path source = Path.of(project, "src", output.equals("classes") ? "main" : "test", "resources", file);
            return Files.isRegularFile(source) ? Optional.of(source) : Optional.empty();
        } catch (InvalidPathException notAPath) {
            return Optional.empty();
        }
    }

    /** The text with a URL's escapes decoded; a '+' in a URL's path is a plus. */
    private static String unescaped(String text) {
        try {
            return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException notEscaped) {
            return text;
        }
    }
}
