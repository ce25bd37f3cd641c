package dev.clutch.core.master;

import dev.clutch.core.api.Role;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A class-data-sharing archive of the application's classes for its children ({@code clutch.cds.enabled}): the
 * first worker launched without one records the classes it loads and writes the archive when it exits cleanly (a
 * reload, a stop); every child launched after that maps it instead of loading and verifying those classes again,
 * which shortens start-up and failover and shares the pages between the processes. The archive is named after
 * the application and a fingerprint of the JDK and every jar of the classpath (path, size, time), taken at every
 * launch: a new build or JDK gets a new one, also a jar replaced under a running master before a {@code reload},
 * and a new archive deletes the application's older ones but the latest; only a classpath of jars
 * qualifies (the JDK archives no classes from directories, as under {@code mvn exec:java}).
 *
 * <p>A master's JVM is the one the operator starts, so Clutch cannot give it options; an application's launcher
 * script can. For a classpath of one jar, {@code masters/<16 hex digits of the jar's and the JDK's paths>.jsa} in the
 * archive directory links to the current archive, and the launcher passes it to the master's JVM when it exists: the master
 * loads the same framework and libraries as its children. The JVM checks that an archive fits its JDK and classpath
 * and quietly goes without one that does not (a link left from an earlier build, say). Touched by the master's
 * thread only.
 */
final class ClassDataSharing {

    private static final Logger log = LoggerFactory.getLogger(ClassDataSharing.class);
    /** The JDK's own notes about classes it cannot archive are not the operator's business. */
    private static final List<String> QUIET = List.of("-Xlog:cds=off", "-Xlog:cds+dynamic=off");
    /** Archives kept per application. */
    static final int KEPT = 2;

    /** Where the archives are; null when off. */
    private final Path directory;
    private final List<Path> classpath;
    private final String fileNamePrefix;
    /** Where launchers look for the archive of a JVM with this classpath; null when they cannot. */
    private final Path launcherLink;
    /** The names of this application's archives, whatever the fingerprint. */
    private final Pattern archivesOfTheApplication;
    /** The names of recordings in progress, by the pid of their master. */
    private final Pattern recordingsOfTheApplication;
    /** The worker recording an archive: its pid, -1 between its options and its launch, 0 for none. */
    private long recorder;
    /** What that worker writes at its exit, and the archive that becomes. */
    private Path recording;
    private Path recordingFor;
    /** Workers recording for a build whose jars have since been replaced, and what they will write: discarded. */
    private final Map<Long, Path> outdatedRecorders = new HashMap<>();

    private ClassDataSharing(Path directory, List<Path> classpath, String fileNamePrefix, Path launcherLink) {
        this.directory = directory;
        this.classpath = classpath;
        this.fileNamePrefix = fileNamePrefix;
        this.launcherLink = launcherLink;
        this.archivesOfTheApplication = Pattern.compile(Pattern.quote(fileNamePrefix) + "[0-9a-f]{16}\\.jsa");
        this.recordingsOfTheApplication = Pattern.compile(Pattern.quote(fileNamePrefix)
                + "[0-9a-f]{16}\\.jsa\\.(\\d+)\\.part");
    }

    /** Off: no options, ever. */
    static ClassDataSharing off() {
        return new ClassDataSharing(null, List.of(), "", null);
    }

    /**
     * @param application the application's name, which its archives' names begin with
     * @param directory where archives are kept; empty: {@code $XDG_CACHE_HOME/clutch/cds} or
     *     {@code ~/.cache/clutch/cds}
     */
    static ClassDataSharing of(boolean enabled, String application, String directory, String classpath) {
        List<Path> entries = BuildFingerprint.entries(classpath);
        if (entries.isEmpty() || entries.stream().anyMatch(Files::isDirectory)) {
            return off();
        }
        Path dir = directory.isBlank() ? defaultDirectory() : Path.of(directory);
        if (!enabled) {
            unlinkForLaunchers(dir, entries);
            return off();
        }
        try {
            Files.createDirectories(dir);
            if (!Files.isWritable(dir)) {
                throw new IOException(dir + " is not writable");
            }
            keepToOwner(dir);
            String prefix = application.replaceAll("[^A-Za-z0-9._-]", "_") + "-";
            Path link = entries.size() == 1 ? launcherLink(dir, entries.get(0)) : null;
            ClassDataSharing sharing = new ClassDataSharing(dir, entries, prefix, link);
            sharing.deleteOrphanedRecordings();
            sharing.linkForLaunchers(sharing.currentArchive());
            return sharing;
        } catch (IOException | RuntimeException e) {
            log.info("class-data sharing off: cannot keep archives in {} ({}); set clutch.cds.dir", dir,
                    e.getMessage());
            return off();
        }
    }

    /**
     * Every child maps the archives found here: a directory another account can write to would let it put code into
     * this application's processes. One owned by another account is refused; this account's own loses the write
     * permission of others (a umask of 002 gives it to the group).
     */
    private static void keepToOwner(Path dir) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class);
        if (view == null) {
            return;
        }
        UserPrincipal owner = view.getOwner();
        // The owner of a file this process makes: an account without a name (a container's uid) has one too.
        Path probe = Files.createTempFile(dir, ".owner-", ".tmp");
        UserPrincipal self;
        try {
            self = Files.getOwner(probe);
        } finally {
            Files.deleteIfExists(probe);
        }
        if (!owner.equals(self)) {
            throw new IOException(dir + " belongs to " + owner.getName() + ", not to " + self.getName()
                    + ", and every process would map the archives found there");
        }
        Set<PosixFilePermission> permissions = EnumSet.copyOf(view.readAttributes().permissions());
        if (permissions.removeAll(EnumSet.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE))) {
            view.setPermissions(permissions);
        }
    }

    private static Path defaultDirectory() {
        String cache = System.getenv("XDG_CACHE_HOME");
        Path base = cache != null && !cache.isBlank() ? Path.of(cache)
                : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("clutch").resolve("cds");
    }

    /**
     * Where a launcher finds the archive for a JVM of this JDK whose classpath is {@code jar} alone: named after the
     * jar's and the JDK's real paths, which a shell script can hash as well ({@code readlink -f} and
     * {@code sha256sum}). One link per JDK: a host that runs the jar on two JDKs finds each one's archive.
     */
    static Path launcherLink(Path directory, Path jar) throws IOException {
        String jdk = Path.of(System.getProperty("java.home")).toRealPath().toString();
        return directory.resolve("masters").resolve(BuildFingerprint.hex16(jar.toRealPath() + "|" + jdk) + ".jsa");
    }

    /** The archive that fits the classpath's jars as they are now. */
    private Path currentArchive() throws IOException {
        return directory.resolve(fileNamePrefix + BuildFingerprint.of(classpath) + ".jsa");
    }

    /** The JVM options of the next child of {@code role}; call {@link #launched} with its pid after. */
    List<String> options(Role role) {
        if (directory == null) {
            return List.of();
        }
        Path archive;
        try {
            archive = currentArchive();
        } catch (IOException e) {
            log.info("class-data sharing: none for this child, the classpath cannot be read: {}", e.getMessage());
            return List.of();
        }
        if (Files.isRegularFile(archive)) {
            return Stream.concat(Stream.of("-XX:SharedArchiveFile=" + archive), QUIET.stream()).toList();
        }
        if (role == Role.WORKER && recorder > 0 && !archive.equals(recordingFor)) {
            // The jars were replaced since it began (a reload of a new build is coming): what it records is of no
            // use, and the new build needs a recorder of its own.
            outdatedRecorders.put(recorder, recording);
            recorder = 0;
        }
        if (role == Role.WORKER && recorder == 0) {
            recorder = -1;
            recordingFor = archive;
            // Per master: two instances of one application on a host may record at once.
            recording = archive.resolveSibling(archive.getFileName() + "." + ProcessHandle.current().pid() + ".part");
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

    /**
     * A child exited with {@code status}; if it was recording, its archive (written at exit) becomes the one
     * children use, but only after a stop of a worker that had been ready: the JVM would refuse an archive cut by a
     * kill or a crash without a word, and one recorded by a start that failed or was stopped holds only the classes
     * of the boot. Either would stay this build's archive, never recorded again.
     */
    void exited(long pid, int status, boolean wasReady) {
        Path outdated = outdatedRecorders.remove(pid);
        if (outdated != null) {
            deleteQuietly(outdated);
            return;
        }
        if (recorder == 0 || pid != recorder) {
            return;
        }
        recorder = 0;
        try {
            if (!recordingFor.equals(currentArchive())) {
                log.info("class-data sharing: the jars changed while a worker recorded the archive; the next worker "
                        + "of the new build records again");
            } else if (!wasReady || !ExitStatus.isStop(status)) {
                log.info("class-data sharing: the worker recording the archive ended ({}{}): the next worker "
                        + "records again", ExitStatus.describe(status), wasReady ? "" : ", before it was ready");
            } else if (Files.isRegularFile(recording) && Files.size(recording) > 0) {
                Files.move(recording, recordingFor, StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
                log.info("class-data sharing: children start from {} from now on", recordingFor);
                linkForLaunchers(recordingFor);
                deleteOlderArchives(recordingFor);
            } else {
                // The JVM's own warning is silenced (QUIET): without this line the faster start would never come,
                // without a word.
                log.warn("class-data sharing: the worker that recorded the archive (pid {}) stopped without writing "
                        + "one, so children start without; a JDK without its base archive (lib/server/classes.jsa, "
                        + "missing from a jlink image made without --generate-cds-archive) cannot record: start a "
                        + "worker with -Xlog:cds (clutch.worker.jvmArgs) to see why", pid);
            }
        } catch (IOException e) {
            log.info("class-data sharing: could not keep the archive {}: {}", recording, e.getMessage());
        } finally {
            deleteQuietly(recording);
        }
    }

    private static void deleteQuietly(Path recording) {
        try {
            Files.deleteIfExists(recording);
        } catch (IOException ignored) {
            // Replaced by the next recording of that master, or deleted at the next start.
        }
    }

    /**
     * Deletes what recording workers wrote for a master that is gone (killed or crashed before their exit was
     * seen): some 20 MiB each, they would pile up with every such crash.
     */
    private void deleteOrphanedRecordings() {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path file : files) {
                Matcher recording = recordingsOfTheApplication.matcher(file.getFileName().toString());
                if (recording.matches() && !masterRuns(recording.group(1))) {
                    deleteQuietly(file);
                }
            }
        } catch (IOException | RuntimeException e) {
            log.info("class-data sharing: could not look for recordings left in {}: {}", directory, e.getMessage());
        }
    }

    /** A pid too large for a {@code long} is no process's: that file was not written by a master. */
    private static boolean masterRuns(String pid) {
        try {
            return ProcessHandle.of(Long.parseLong(pid)).isPresent();
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Turned off, also for a master the launcher starts: a link left from before would still reach it. */
    private static void unlinkForLaunchers(Path dir, List<Path> entries) {
        if (entries.size() != 1 || !Files.isDirectory(dir)) {
            return;
        }
        try {
            if (Files.deleteIfExists(launcherLink(dir, entries.get(0)))) {
                log.info("class-data sharing off: the master's launcher no longer finds an archive");
            }
        } catch (IOException e) {
            log.info("class-data sharing off, but the launchers' link in {} stays: {}", dir, e.getMessage());
        }
    }

    /** Points the launchers' link at the current archive, once there is one. */
    private void linkForLaunchers(Path archive) {
        if (launcherLink == null || !Files.isRegularFile(archive)) {
            return;
        }
        Path target = launcherLink.getParent().relativize(archive);
        try {
            if (Files.isSymbolicLink(launcherLink) && Files.readSymbolicLink(launcherLink).equals(target)) {
                return;
            }
            Files.createDirectories(launcherLink.getParent());
            keepToOwner(launcherLink.getParent());
            // Built aside and renamed over the old link, so a launcher never finds it half made.
            Path aside = launcherLink.resolveSibling(launcherLink.getFileName() + "." + ProcessHandle.current().pid()
                    + ".part");
            Files.deleteIfExists(aside);
            Files.createSymbolicLink(aside, target);
            Files.move(aside, launcherLink, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            log.info("class-data sharing: a master started by the application's launcher maps {} ({})", archive,
                    launcherLink);
        } catch (IOException | UnsupportedOperationException e) {
            log.info("class-data sharing: could not link {} for launchers: {}", launcherLink, e.getMessage());
        }
    }

    /**
     * Deletes the application's archives of earlier builds and JDKs but the most recent ({@link #KEPT} in all, this
     * one included): some 20 MiB each, they would pile up with every build, while two builds of an application
     * running side by side (blue-green) each keep theirs. Children running from a deleted one keep their mapping.
     */
    private void deleteOlderArchives(Path archive) {
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
