package dev.clutch.core.master;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The build a child launched now would run: the JDK and every classpath entry's path, size and modification time.
 * A jar replaced under a running master (a deploy) changes it.
 */
final class BuildFingerprint {

    private BuildFingerprint() {
    }

    /** The entries of a classpath as the JVM's {@code -cp} takes it. */
    static List<Path> entries(String classpath) {
        return Stream.of(classpath.split(File.pathSeparator)).filter(e -> !e.isBlank()).map(Path::of).toList();
    }

    static String of(List<Path> entries) throws IOException {
        StringBuilder text = new StringBuilder(System.getProperty("java.home") + "|"
                + System.getProperty("java.vm.version"));
        for (Path entry : entries) {
            BasicFileAttributes attributes = Files.readAttributes(entry, BasicFileAttributes.class);
            text.append('|').append(entry.toAbsolutePath()).append(':').append(attributes.size()).append(':')
                    .append(attributes.lastModifiedTime().toMillis());
        }
        return hex16(text.toString());
    }

    /** The first 16 hex digits of the text's SHA-256. */
    static String hex16(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
