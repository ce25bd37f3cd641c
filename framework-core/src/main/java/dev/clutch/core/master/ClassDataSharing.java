package dev.clutch.core.master;

import dev.clutch.core.api.Role;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A class-data-sharing archive of the application's classes for its children ({@code clutch.cds.enabled}): the
 * first worker launched without one records the classes it loads and writes the archive when it exits cleanly (a
 * reload, a stop); every child launched after that maps it instead of loading and verifying those classes again,
 * which shortens start-up and failover and shares the pages between the processes. The archive is named after
 * the application and a fingerprint of the JDK and every jar of the classpath (path, size, time), so a new build or
 * JDK gets a new one, which then deletes the application's older ones but the latest; only a classpath of jars
 * qualifies (the JDK archives no classes from directories, as under {@code mvn exec:java}). Touched by the
 * master's thread only.
 */
final class ClassDataSharing {

    private static final Logger log = LoggerFactory.getLogger(ClassDataSharing.class);
    /** The JDK's own notes about classes it cannot archive are not the operator's business. */
    private static final List<String> QUIET = List.of("-Xlog:cds=off", "-Xlog:cds+dynamic=off");
    /** Archives kept per application. */
    static final int KEPT = 2;

    private final Path archive;
    /** The names of this application's archives, whatever the fingerprint. */
    private final Pattern archivesOfTheApplication;
    private final Path recording;
    private long recorder;

    private ClassDataSharing(Path archive, String fileNamePrefix) {
        this.archive = archive;
        this.archivesOfTheApplication = Pattern.compile(Pattern.quote(fileNamePrefix) + "[0-9a-f]{16}\\.jsa");
        // Per master: two instances of one application on a host may record at once.
        this.recording = archive == null ? null : archive.resolveSibling(archive.getFileName() + "."
                + ProcessHandle.current().pid() + ".part");
    }

    /** Off: no options, ever. */
    static ClassDataSharing off() {
        return new ClassDataSharing(null, "");
    }

    /**
     * @param application the application's name, which its archives' names begin with
     * @param directory where archives are kept; empty: {@code $XDG_CACHE_HOME/clutch/cds} or
     *     {@code ~/.cache/clutch/cds}
     */
    static ClassDataSharing of(boolean enabled, String application, String directory, String classpath) {
        if (!enabled) {
            return off();
        }
        List<Path> entries = Stream.of(classpath.split(File.pathSeparator)).filter(e -> !e.isBlank())
                .map(Path::of).toList();
        if (entries.isEmpty() || entries.stream().anyMatch(Files::isDirectory)) {
            return off();
        }
        Path dir = directory.isBlank() ? defaultDirectory() : Path.of(directory);
        try {
            Files.createDirectories(dir);
            if (!Files.isWritable(dir)) {
                throw new IOException(dir + " is not writable");
            }
            String prefix = application.replaceAll("[^A-Za-z0-9._-]", "_") + "-";
            return new ClassDataSharing(dir.resolve(prefix + fingerprint(entries) + ".jsa"), prefix);
        } catch (IOException | RuntimeException e) {
            log.info("class-data sharing off: cannot keep archives in {} ({}); set clutch.cds.dir", dir,
                    e.getMessage());
            return off();
        }
    }

    private static Path defaultDirectory() {
        String cache = System.getenv("XDG_CACHE_HOME");
        Path base = cache != null && !cache.isBlank() ? Path.of(cache)
                : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("clutch").resolve("cds");
    }

    /** The JDK and every classpath entry's path, size and modification time. */
    private static String fingerprint(List<Path> entries) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update((System.getProperty("java.home") + "|" + System.getProperty("java.vm.version"))
                    .getBytes(StandardCharsets.UTF_8));
            for (Path entry : entries) {
                BasicFileAttributes attributes = Files.readAttributes(entry, BasicFileAttributes.class);
                digest.update(("|" + entry.toAbsolutePath() + ":" + attributes.size() + ":"
                        + attributes.lastModifiedTime().toMillis()).getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(digest.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** The JVM options of the next child of {@code role}; call {@link #launched} with its pid after. */
    List<String> options(Role role) {
        if (archive == null) {
            return List.of();
        }
        if (Files.isRegularFile(archive)) {
            return Stream.concat(Stream.of("-XX:SharedArchiveFile=" + archive), QUIET.stream()).toList();
        }
        if (role == Role.WORKER && recorder == 0) {
            recorder = -1;
            return Stream.concat(Stream.of("-XX:ArchiveClassesAtExit=" + recording), QUIET.stream()).toList();
        }
        return List.of();
    }

    /** The child just launched with the options {@link #options} gave has {@code pid}; 0 if it did not start. */
    void launched(long pid) {
        if (recorder == -1) {
            recorder = pid;
        }
    }

    /** A child exited; if it was recording, its archive (written at exit) becomes the one children use. */
    void exited(long pid) {
        if (recorder == 0 || pid != recorder) {
            return;
        }
        recorder = 0;
        try {
            if (Files.isRegularFile(recording) && Files.size(recording) > 0) {
                Files.move(recording, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                log.info("class-data sharing: children start from {} from now on", archive);
                deleteOlderArchives();
            }
        } catch (IOException e) {
            log.info("class-data sharing: could not keep the archive {}: {}", recording, e.getMessage());
        } finally {
            try {
                Files.deleteIfExists(recording);
            } catch (IOException ignored) {
                // Replaced by the next recording.
            }
        }
    }

    /**
     * Deletes the application's archives of earlier builds and JDKs but the most recent ({@link #KEPT} in all, this
     * one included): some 20 MiB each, they would pile up with every build, while two builds of an application
     * running side by side (blue-green) each keep theirs. Children running from a deleted one keep their mapping.
     */
    private void deleteOlderArchives() {
        List<Path> archives = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(archive.getParent())) {
            for (Path file : files) {
                if (archivesOfTheApplication.matcher(file.getFileName().toString()).matches()) {
                    archives.add(file);
                }
            }
            archives.sort(Comparator.comparing(ClassDataSharing::modified).reversed());
            archives.remove(archive);
            for (Path older : archives.subList(Math.min(KEPT - 1, archives.size()), archives.size())) {
                Files.deleteIfExists(older);
                log.info("class-data sharing: deleted {}, the archive of an earlier build or JDK", older);
            }
        } catch (IOException | UncheckedIOException e) {
            log.info("class-data sharing: could not delete older archives in {}: {}", archive.getParent(),
                    e.getMessage());
        }
    }

    private static FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
