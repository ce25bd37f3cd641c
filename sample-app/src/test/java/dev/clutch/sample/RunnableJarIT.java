package dev.clutch.sample;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clutch.core.testing.ClusterProcess;
import dev.clutch.core.testing.RawHttp;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged application as operators run it: {@code java -jar target/flags.jar start --daemon}, then commands;
 * and through the launcher script the build writes, {@code target/bin/flags}.
 */
class RunnableJarIT {

    private static final Path JAR = Path.of("target", "flags.jar").toAbsolutePath();
    private static final Path LAUNCHER = Path.of("target", "bin", "flags").toAbsolutePath();

    @TempDir
    Path baseDir;

    /** The settings every start and command of these tests gives in {@code JAVA_OPTS}. */
    private String settings() {
        return "-Dclutch.baseDir=" + baseDir + " -Dclutch.http.host=127.0.0.1";
    }

    private ClusterProcess jar(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Dclutch.baseDir=" + baseDir, "-Dclutch.http.host=127.0.0.1",
                "-Dclutch.cds.dir=" + baseDir.resolve("cds"), "-jar", JAR.toString()));
        command.addAll(List.of(args));
        return ClusterProcess.builder(baseDir).command(command).start();
    }

    @Test
    void startDaemonStatusAndStopFromTheRunnableJar() throws Exception {
        assertTrue(Files.exists(JAR), JAR + " is built by the package phase");
        try (ClusterProcess start = jar("start", "--daemon", "--workers", "2", "--port", "0")) {
            assertEquals(0, start.awaitExit(Duration.ofSeconds(90)), start.output());
            ClusterProcess.Ready ready = start.awaitReady(Duration.ofSeconds(1));
            assertEquals(200, RawHttp.get(ready.port(), "/_clutch/health").status());

            try (ClusterProcess status = jar("status")) {
                assertEquals(0, status.awaitExit(Duration.ofSeconds(60)), status.output());
                assertTrue(status.output().contains("flags running"), status.output());
                for (long worker : ready.workerPids()) {
                    assertTrue(status.output().contains(Long.toString(worker)), status.output());
                }
            }
            try (ClusterProcess stop = jar("stop")) {
                assertEquals(0, stop.awaitExit(Duration.ofSeconds(60)), stop.output());
            }
            await("every process gone").atMost(Duration.ofSeconds(10)).until(() -> start.livePids().isEmpty());
        }
    }

    @Test
    void theLauncherStartsTheMasterFromTheArchiveItsChildrenRecorded() throws Exception {
        try (ClusterProcess first = launcher("start", "--workers", "1", "--port", "0")) {
            first.awaitReady(Duration.ofSeconds(90));
            first.signal("TERM");
            assertEquals(0, first.awaitExit(Duration.ofSeconds(60)), first.output());
            assertTrue(first.output().contains("class-data sharing: children start from"), first.output());
        }
        try (ClusterProcess second = launcher("start", "--workers", "1", "--port", "0")) {
            ClusterProcess.Ready ready = second.awaitReady(Duration.ofSeconds(90));
            String archive = ClusterProcess.commandLine(ready.workerPids().get(0)).replaceAll(
                    ".*-XX:SharedArchiveFile=(\\S+).*", "$1");
            assertTrue(archive.startsWith(baseDir.resolve("cds").toString()), "the worker maps the archive");
            assertTrue(ClusterProcess.commandLine(ready.agentPid()).contains("-XX:SharedArchiveFile=" + archive));
            assertTrue(Files.readString(Path.of("/proc", Long.toString(second.pid()), "maps")).contains(archive),
                    "the master maps the children's archive too");
            assertEquals(200, RawHttp.get(ready.port(), "/flags").status());
            assertTrue(second.output().lines().noneMatch(l -> l.contains("[warning]")), second.output());
            second.signal("TERM");
            assertEquals(0, second.awaitExit(Duration.ofSeconds(60)));
        }
    }

    @Test
    void theLauncherSaysWhatIsMissing() throws Exception {
        Path bin = Files.createDirectories(baseDir.resolve("app").resolve("bin"));
        Path launcher = Files.copy(LAUNCHER, bin.resolve("flags"));
        Process noJar = new ProcessBuilder(launcher.toString(), "status").redirectErrorStream(true).start();
        assertTrue(noJar.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, noJar.exitValue());
        assertTrue(new String(noJar.getInputStream().readAllBytes()).contains(baseDir.resolve("app/flags.jar")
                + " not found"));

        Files.copy(JAR, baseDir.resolve("app").resolve("flags.jar"));
        ProcessBuilder badJdk = new ProcessBuilder(launcher.toString(), "status").redirectErrorStream(true);
        badJdk.environment().put("JAVA_HOME", baseDir.resolve("no-jdk").toString());
        Process noJava = badJdk.start();
        assertTrue(noJava.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, noJava.exitValue());
        assertTrue(new String(noJava.getInputStream().readAllBytes()).contains("set JAVA_HOME to a JDK 17 or newer"));

        Path oldJdk = baseDir.resolve("jdk-11");
        Files.createDirectories(oldJdk.resolve("bin"));
        Files.writeString(oldJdk.resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"11.0.2\"\n");
        Path java = Files.writeString(oldJdk.resolve("bin").resolve("java"), "#!/bin/sh\nexit 0\n");
        java.toFile().setExecutable(true);
        ProcessBuilder tooOld = new ProcessBuilder(launcher.toString(), "status").redirectErrorStream(true);
        tooOld.environment().put("JAVA_HOME", oldJdk.toString());
        Process refused = tooOld.start();
        assertTrue(refused.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, refused.exitValue());
        assertTrue(new String(refused.getInputStream().readAllBytes()).contains("is a JDK 11: Clutch needs JDK 17 or "
                + "newer; set JAVA_HOME to one"));
    }

    @Test
    void aReloadAfterTheReleaseLinkMovedRunsTheNewRelease() throws Exception {
        Path first = install(baseDir.resolve("releases").resolve("1"));
        Path second = install(baseDir.resolve("releases").resolve("2"));
        Path current = Files.createSymbolicLink(baseDir.resolve("current"), first);
        Path script = current.resolve("bin").resolve("flags");
        try (ClusterProcess cluster = launcher(script, settings(), "start", "--workers", "1", "--port", "0")) {
            ClusterProcess.Ready ready = cluster.awaitReady(Duration.ofSeconds(90));
            long before = ready.workerPids().get(0);
            assertTrue(opens(before, first.resolve("flags.jar")), "the worker runs release 1");

            // A deploy as the README describes it: the link moves to the new release in one rename.
            Path moving = Files.createSymbolicLink(baseDir.resolve("current.new"), second);
            Files.move(moving, current, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (ClusterProcess reload = launcher(script, settings(), "reload")) {
                assertEquals(0, reload.awaitExit(Duration.ofSeconds(90)), reload.output());
            }
            await("the old worker gone").atMost(Duration.ofSeconds(30)).until(() -> !ClusterProcess.isRunning(before));
            List<Long> workers = cluster.livePids().stream()
                    .filter(pid -> pid != cluster.pid() && pid != ready.agentPid()).toList();
            assertEquals(1, workers.size(), workers.toString());
            assertTrue(opens(workers.get(0), second.resolve("flags.jar")), "the new worker runs release 2");
            cluster.signal("TERM");
            assertEquals(0, cluster.awaitExit(Duration.ofSeconds(60)), cluster.output());
        }
    }

    @Test
    void jmxInJavaOptsReachesTheDaemonMasterNotTheJvmThatStartsItNorTheCommands() throws Exception {
        int jmxPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            jmxPort = probe.getLocalPort();
        }
        String jmx = "-Dcom.sun.management.jmxremote.port=" + jmxPort;
        String options = settings() + " " + jmx + " -Dcom.sun.management.jmxremote.host=127.0.0.1"
                + " -Dcom.sun.management.jmxremote.authenticate=false -Dcom.sun.management.jmxremote.ssl=false";
        try (ClusterProcess start = launcher(LAUNCHER, options, "start", "--daemon", "--workers", "1", "--port", "0")) {
            // Given JMX too, this JVM held the port while the daemon tried to bind it, and the start failed.
            assertEquals(0, start.awaitExit(Duration.ofSeconds(90)), start.output());
            List<Long> withJmx = new ArrayList<>();
            for (long pid : start.livePids()) {
                if (ClusterProcess.commandLine(pid).contains(jmx)) {
                    withJmx.add(pid);
                }
            }
            assertEquals(1, withJmx.size(), "the master only, not its children");
            try (ClusterProcess status = launcher(LAUNCHER, options, "status")) {
                assertEquals(0, status.awaitExit(Duration.ofSeconds(60)), status.output());
                assertTrue(status.output().contains("flags running"), status.output());
            }
            try (ClusterProcess stop = launcher(LAUNCHER, options, "stop")) {
                assertEquals(0, stop.awaitExit(Duration.ofSeconds(60)), stop.output());
            }
            await("every process gone").atMost(Duration.ofSeconds(10)).until(() -> start.livePids().isEmpty());
        }
    }

    /** A release as a deploy lays it out: {@code <dir>/flags.jar} and {@code <dir>/bin/flags}. */
    private static Path install(Path dir) throws Exception {
        Files.createDirectories(dir.resolve("bin"));
        Files.copy(JAR, dir.resolve("flags.jar"));
        Files.copy(LAUNCHER, dir.resolve("bin").resolve("flags"), StandardCopyOption.COPY_ATTRIBUTES);
        return dir;
    }

    /** Whether process {@code pid} has {@code file} open (a JVM keeps the jars it loads classes from open). */
    private static boolean opens(long pid, Path file) throws Exception {
        Path real = file.toRealPath();
        try (var descriptors = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return descriptors.anyMatch(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(real);
                } catch (Exception e) {
                    return false;
                }
            });
        }
    }

    /** {@code target/bin/flags}, the launcher the build writes beside the jar. */
    private ClusterProcess launcher(String... args) throws Exception {
        return launcher(LAUNCHER, settings(), args);
    }

    private ClusterProcess launcher(Path script, String javaOpts, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(script.toString()));
        command.addAll(List.of(args));
        return ClusterProcess.builder(baseDir).command(command)
                .env("JAVA_HOME", System.getProperty("java.home"))
                .env("JAVA_OPTS", javaOpts)
                .env("CLUTCH_CDS_DIR", baseDir.resolve("cds").toString())
                .start();
    }
}
