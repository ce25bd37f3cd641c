package dev.clutch.core.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.clutch.core.api.ExitCode;
import dev.clutch.core.api.Role;
import dev.clutch.core.config.ClutchSettings;
import dev.clutch.core.testing.CapturedLog;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassDataSharingTest {

    @TempDir
    Path dir;

    @Test
    void theArchiveDirectoryIsWritableByItsOwnerOnly() throws IOException {
        Path cds = Files.createDirectories(dir.resolve("cds"));
        Files.setPosixFilePermissions(cds, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));

        ClassDataSharing sharing = ClassDataSharing.of(true, "flags", cds.toString(), jar().toString());

        assertEquals("rwxr-xr-x", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(cds)), "others may no longer put archives there");
        assertFalse(sharing.options(Role.WORKER).isEmpty(), "and it is used");
    }

    @Test
    void aClasspathWithADirectoryGetsNoOptions() throws IOException {
        Path jar = Files.writeString(dir.resolve("app.jar"), "jar");
        String classpath = jar + File.pathSeparator + Files.createDirectories(dir.resolve("classes"));

        ClassDataSharing sharing = ClassDataSharing.of(true, "flags", dir.resolve("cds").toString(), classpath);

        assertEquals(List.of(), sharing.options(Role.WORKER));
    }

    @Test
    void theFirstWorkerRecordsAndEveryChildAfterItsCleanExitMapsTheArchive() throws IOException {
        Path cds = dir.resolve("cds");
        ClassDataSharing sharing = ClassDataSharing.of(true, "flags", cds.toString(), jar().toString());

        assertEquals(List.of(), sharing.options(Role.AGENT), "only a worker records");
        Path recording = Path.of(optionValue(sharing.options(Role.WORKER), "-XX:ArchiveClassesAtExit="));
        sharing.launched(42);
        assertEquals(List.of(), sharing.options(Role.WORKER), "one recording at a time");
        Files.writeString(recording, "archived classes");

        sharing.exited(42, 0, true);

        Path archive = Path.of(optionValue(sharing.options(Role.AGENT), "-XX:SharedArchiveFile="));
        assertTrue(archive.getFileName().toString().matches("flags-[0-9a-f]{16}\\.jsa"), archive.toString());
        assertEquals("archived classes", Files.readString(archive));
        assertEquals(List.of(archive.getFileName().toString(), "masters"), names(cds), "the recording was moved");
    }

    @Test
    void aRecorderThatStopsWithoutWritingAnArchiveIsSaidWithWhatToDo() throws IOException {
        ClassDataSharing sharing = ClassDataSharing.of(true, "flags", dir.resolve("cds").toString(), jar().toString());
        sharing.options(Role.WORKER);
        sharing.launched(42);
        List<ch.qos.logback.classic.spi.ILoggingEvent> events;
        try (CapturedLog logged = new CapturedLog(ClassDataSharing.class)) {
            sharing.exited(42, 0, true);
            events = logged.events();
        }

        assertEquals(List.of(), sharing.options(Role.AGENT));
        assertTrue(events.stream().anyMatch(e -> e.getFormattedMessage().contains("the worker that recorded "
                + "the archive (pid 42) stopped without writing one") && e.getFormattedMessage().contains(
                "-Xlog:cds")), events.toString());
    }

    @Test
    void anArchiveWhoseRecorderWasKilledIsNotUsedAndTheNextWorkerRecordsAgain() throws IOException {
        ClassDataSharing sharing = ClassDataSharing.of(true, "flags", dir.resolve("cds").toString(), jar().toString());
        Path cut = Path.of(optionValue(sharing.options(Role.WORKER), "-XX:ArchiveClassesAtExit="));
        sharing.launched(42);
        Files.writeString(cut, "half an arch");

        sharing.exited(42, 128 + 9, true);

        assertEquals(List.of(), sharing.options(Role.AGENT), "no archive from a recorder killed while it wrote");
        assertFalse(Files.exists(cut));
        assertEquals(cut.toString(), optionValue(sharing.options(Role.WORKER), "-XX:ArchiveClassesAtExit="),
                "the next worker records");
    }

    @Test
    void anArchiveOfAStartThatFailedOrWasStoppedIsNotKeptAndTheNextWorkerRecordsAgain() throws IOException {
        ClassDataSharing sharing = ClassDataSharing.of(true, "flags", dir.resolve("cds").toString(), jar().toString());
        Path recording = Path.of(optionValue(sharing.options(Role.WORKER), "-XX:ArchiveClassesAtExit="));
        sharing.launched(42);
        Files.writeString(recording, "the classes of a boot that threw");
        sharing.exited(42, ExitCode.START_FAILED.code(), false);
        assertEquals(List.of(), sharing.options(Role.AGENT), "no archive from a failed start");
        assertFalse(Files.exists(recording));

        assertEquals(recording.toString(), optionValue(sharing.options(Role.WORKER), "-XX:ArchiveClassesAtExit="),
                "the next worker records");
        sharing.launched(43);
        Files.writeString(recording, "the classes of a boot cut short by a stop");
        sharing.exited(43, 0, false);
        assertEquals(List.of(), sharing.options(Role.AGENT), "no archive from a worker stopped before it was ready");

        assertEquals(recording.toString(), optionValue(sharing.options(Role.WORKER), "-XX:ArchiveClassesAtExit="),
                "the next worker records");
        sharing.launched(44);
        Files.writeString(recording, "the classes of a worker that served");
        sharing.exited(44, 128 + 15, true);
        assertEquals("the classes of a worker that served",
                Files.readString(Path.of(optionValue(sharing.options(Role.AGENT), "-XX:SharedArchiveFile="))),
                "a worker that served, then stopped by TERM, gives the archive");
    }

    @Test
    void aJarReplacedUnderTheRunningMasterGetsItsOwnArchiveAtTheNextRecording() throws IOException {
        Path cds = dir.resolve("cds");
        Path jar = jar();
        ClassDataSharing sharing = ClassDataSharing.of(true, "flags", cds.toString(), jar.toString());
        Files.writeString(Path.of(optionValue(sharing.options(Role.WORKER), "-XX:ArchiveClassesAtExit=")), "old");
        sharing.launched(7);
        sharing.exited(7, 0, true);
        Path first = Path.of(optionValue(sharing.options(Role.AGENT), "-XX:SharedArchiveFile="));

        // A deploy: the new build's jar in place, then a reload.
        Files.writeString(jar, "the new build");
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(60)));

        assertEquals(List.of(), sharing.options(Role.AGENT), "the old archive does not fit the new jar");
        Files.writeString(Path.of(optionValue(sharing.options(Role.WORKER), "-XX:ArchiveClassesAtExit=")), "new");
        sharing.launched(8);
        sharing.exited(8, 0, true);

        Path second = Path.of(optionValue(sharing.options(Role.AGENT), "-XX:SharedArchiveFile="));
        assertNotEquals(first, second);
        assertEquals("new", Files.readString(second));
        assertEquals(second.toRealPath(), ClassDataSharing.launcherLink(cds, jar).toRealPath());
        assertTrue(Files.exists(first), "the previous build's archive is kept, for a build running beside");
    }

    @Test
    void aJarReplacedWhileTheFirstRecorderStillRunsGetsARecorderOfItsOwnAndTheOldRecordingIsDiscarded()
            throws IOException {
        Path cds = dir.resolve("cds");
        Path jar = jar();
        ClassDataSharing sharing = ClassDataSharing.of(true, "flags", cds.toString(), jar.toString());
        Path old = Path.of(optionValue(sharing.options(Role.WORKER), "-XX:ArchiveClassesAtExit="));
        sharing.launched(7);

        // A deploy under a one-worker cluster: the new jar, then a reload whose new worker starts before the old
        // recorder stops.
        Files.writeString(jar, "the new build");
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(60)));
        Path fresh = Path.of(optionValue(sharing.options(Role.WORKER), "-XX:ArchiveClassesAtExit="));
        sharing.launched(8);
        assertNotEquals(old, fresh, "the new build records for its own archive");
        Files.writeString(old, "old");
        sharing.exited(7, 0, true);

        assertEquals(List.of(), sharing.options(Role.AGENT), "the old build's recording is no archive of this one");
        assertFalse(Files.exists(old), "and it is deleted");
        try (Stream<Path> files = Files.list(cds)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".jsa")), "no archive kept");
        }
        Files.writeString(fresh, "new");
        sharing.exited(8, 0, true);
        assertEquals("new", Files.readString(Path.of(optionValue(sharing.options(Role.AGENT),
                "-XX:SharedArchiveFile="))));
    }

    @Test
    void recordingsLeftByAMasterThatIsGoneAreDeletedAtTheNextStart() throws Exception {
        Path cds = Files.createDirectories(dir.resolve("cds"));
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor(10, TimeUnit.SECONDS);
        Path orphan = Files.writeString(cds.resolve("flags-0123456789abcdef.jsa." + gone.pid() + ".part"), "cut");
        Path running = Files.writeString(cds.resolve("flags-0123456789abcdef.jsa." + ProcessHandle.current().pid()
                + ".part"), "recording");
        Path otherApplication = Files.writeString(cds.resolve("other-0123456789abcdef.jsa." + gone.pid() + ".part"),
                "not ours");

        ClassDataSharing.of(true, "flags", cds.toString(), jar().toString());

        assertFalse(Files.exists(orphan), "its master is gone");
        assertTrue(Files.exists(running), "its master still runs");
        assertTrue(Files.exists(otherApplication), "another application's");
    }

    @Test
    void aNewArchiveDeletesTheApplicationsOlderOnesButTheMostRecent() throws IOException {
        Path cds = Files.createDirectories(dir.resolve("cds"));
        archive(cds, "flags-00000000000000a1.jsa", 3);
        archive(cds, "flags-00000000000000a2.jsa", 2);
        archive(cds, "flags-admin-00000000000000b1.jsa", 5);
        archive(cds, "other-00000000000000c1.jsa", 5);
        ClassDataSharing sharing = ClassDataSharing.of(true, "flags", cds.toString(), jar().toString());
        Files.writeString(Path.of(optionValue(sharing.options(Role.WORKER), "-XX:ArchiveClassesAtExit=")), "new");
        sharing.launched(7);

        sharing.exited(7, 0, true);

        String current = Path.of(optionValue(sharing.options(Role.WORKER), "-XX:SharedArchiveFile="))
                .getFileName().toString();
        assertEquals(Stream.of(current, "flags-00000000000000a2.jsa", "flags-admin-00000000000000b1.jsa",
                "other-00000000000000c1.jsa", "masters").sorted().toList(), names(cds));
        assertEquals(2, ClassDataSharing.KEPT);
    }

    @Test
    void launchersFindTheCurrentArchiveThroughALinkNamedAfterTheJarsRealPath() throws Exception {
        Path cds = dir.resolve("cds");
        Path alias = Files.createSymbolicLink(dir.resolve("alias.jar"), jar());
        ClassDataSharing sharing = ClassDataSharing.of(true, "flags", cds.toString(), alias.toString());
        Path link = ClassDataSharing.launcherLink(cds, alias);
        assertFalse(Files.exists(link, LinkOption.NOFOLLOW_LINKS), "no link before there is an archive");

        Files.writeString(Path.of(optionValue(sharing.options(Role.WORKER), "-XX:ArchiveClassesAtExit=")), "new");
        sharing.launched(7);
        sharing.exited(7, 0, true);

        Path archive = Path.of(optionValue(sharing.options(Role.AGENT), "-XX:SharedArchiveFile="));
        assertEquals(archive.toRealPath(), link.toRealPath());
        String launched = launcherOptions(cds);
        assertTrue(launched.contains("-XX:SharedArchiveFile=" + link), "the launcher finds the link: " + launched);

        Files.delete(link);
        ClassDataSharing.of(true, "flags", cds.toString(), alias.toString());
        assertEquals(archive.toRealPath(), link.toRealPath(), "the next master links the archive that exists");

        assertEquals(List.of(), ClassDataSharing.of(false, "flags", cds.toString(), alias.toString())
                .options(Role.AGENT));
        assertFalse(Files.exists(link, LinkOption.NOFOLLOW_LINKS), "turned off, the launcher finds no archive");
        assertTrue(Files.exists(archive), "the archive itself stays, for when it is turned on again");
    }

    /**
     * Without CLUTCH_CDS_DIR or XDG_CACHE_HOME, the launcher reads the account's home directory as the JVM does for
     * user.home, not $HOME: a master started with another $HOME (sudo, a service manager) still finds the archive.
     */
    @Test
    void theLauncherLooksForTheLinkInTheHomeDirectoryTheJvmUses() throws Exception {
        Path cache = Path.of(System.getProperty("user.home"), ".cache", "clutch", "cds");
        Path link = ClassDataSharing.launcherLink(cache, jar());
        // The account's real cache: what this test adds there goes again, directories it made included.
        Path firstMade = null;
        for (Path missing = link.getParent(); !Files.exists(missing); missing = missing.getParent()) {
            firstMade = missing;
        }
        try {
            Files.createDirectories(link.getParent());
        } catch (IOException e) {
            assumeTrue(false, "this account's cache directory is not writable: " + e);
        }
        try {
            Files.createSymbolicLink(link, Files.writeString(dir.resolve("archive.jsa"), "archive"));
            String launched = launcherOptions(Map.of("HOME", dir.resolve("elsewhere").toString()));
            assertTrue(launched.contains("-XX:SharedArchiveFile=" + link), "the launcher finds the link: " + launched);
        } finally {
            Files.deleteIfExists(link);
            for (Path made = link.getParent(); firstMade != null && made.startsWith(firstMade)
                    && isEmptyDirectory(made); made = made.getParent()) {
                Files.delete(made);
            }
        }
    }

    private static boolean isEmptyDirectory(Path path) throws IOException {
        if (!Files.isDirectory(path)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(path)) {
            return entries.findAny().isEmpty();
        }
    }

    @Test
    void theLauncherGivesTheMasterTheJitOptionsOfTheChildren() throws Exception {
        jar();
        String launched = launcherOptions(dir.resolve("cds"));
        for (String option : ClutchSettings.LATE_C2) {
            assertTrue(launched.contains(option), "the launcher and ClutchSettings.LATE_C2 agree on " + option + ": "
                    + launched);
        }
    }

    /**
     * The JVM options framework-core's launcher script starts the application's jar with ({@link #jar}, installed as
     * {@code bin/app} beside it); the JVM prints them and then stops, finding no main class.
     */
    private String launcherOptions(Path cds) throws Exception {
        return launcherOptions(Map.of("CLUTCH_CDS_DIR", cds.toString()));
    }

    /** @param environment added to this JVM's, without CLUTCH_CDS_DIR and XDG_CACHE_HOME */
    private String launcherOptions(Map<String, String> environment) throws Exception {
        Path launcher = Files.copy(Path.of("src", "main", "launcher", "launcher"),
                Files.createDirectories(dir.resolve("bin")).resolve("app"));
        ProcessBuilder run = new ProcessBuilder("sh", launcher.toString()).redirectErrorStream(true);
        run.environment().remove("CLUTCH_CDS_DIR");
        run.environment().remove("XDG_CACHE_HOME");
        run.environment().put("JAVA_HOME", System.getProperty("java.home"));
        run.environment().put("JAVA_OPTS", "-XX:+PrintCommandLineFlags");
        run.environment().putAll(environment);
        Process process = run.start();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the launcher's JVM exited");
        return new String(process.getInputStream().readAllBytes());
    }

    /** An empty jar: enough for a fingerprint, and for a JVM to start before it finds no main class. */
    private Path jar() throws IOException {
        Path jar = dir.resolve("app.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        new JarOutputStream(Files.newOutputStream(jar), manifest).close();
        return jar;
    }

    private static void archive(Path cds, String name, int daysAgo) throws IOException {
        Path file = Files.writeString(cds.resolve(name), name);
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(daysAgo * 86_400L)));
    }

    private static String optionValue(List<String> options, String prefix) {
        return options.stream().filter(o -> o.startsWith(prefix)).map(o -> o.substring(prefix.length()))
                .findFirst().orElseThrow(() -> new AssertionError("no " + prefix + " in " + options));
    }

    private static List<String> names(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }
}
