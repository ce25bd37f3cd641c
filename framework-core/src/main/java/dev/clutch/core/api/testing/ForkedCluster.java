package dev.clutch.core.api.testing;

import com.typesafe.config.Config;
import dev.clutch.core.api.ClutchApplication;
import dev.clutch.core.api.Messenger;
import dev.clutch.core.control.ControlClient;
import dev.clutch.core.master.ChildClasspath;
import dev.clutch.core.master.ChildFactory;
import dev.clutch.core.master.ParentWatch;
import dev.clutch.core.master.ReadyLine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.stream.Stream;

/**
 * {@link ClutchTest.Mode#MULTI}: the application started as {@code start} starts it, its master a JVM of its own
 * on the test's classpath; its console is echoed to the test's.
 */
final class ForkedCluster extends BootedCluster {

    private static final long BOOT_SECONDS = 90;
    private static final long STOP_SECONDS = 30;

    private final Process master;
    private final Thread killOnExit;
    private final ControlSocketMessenger messenger;
    private final long agentPid;
    private final List<Long> workerPids;
    private final int port;

    private ForkedCluster(Path baseDir, Process master, Thread killOnExit, ControlSocketMessenger messenger,
                          Matcher ready) {
        super(baseDir);
        this.master = master;
        this.killOnExit = killOnExit;
        this.messenger = messenger;
        this.agentPid = Long.parseLong(ready.group(2));
        this.workerPids = Stream.of(ready.group(3).split(",\\s*")).map(Long::parseLong).toList();
        this.port = Integer.parseInt(ready.group(5));
    }

    static ForkedCluster start(AppUnderTest app, Config overrides, Path baseDir) {
        Class<? extends ClutchApplication> application = app.type();
        ControlSocketMessenger messenger = new ControlSocketMessenger(ControlClient.of(app.config()),
                app.payloads());
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ChildFactory.platformOptions(Runtime.version()));
        BootedCluster.asSystemProperties(overrides, app.config().raw()).forEach(command::add);
        command.addAll(List.of("-cp", ChildClasspath.of(application), application.getName(), "start"));
        ProcessBuilder builder = new ProcessBuilder(command).directory(baseDir.toFile()).redirectErrorStream(true);
        // A test JVM killed outright runs no shutdown hook: the master then stops itself.
        builder.environment().put(ParentWatch.ENV, Long.toString(ProcessHandle.current().pid()));
        Process master;
        try {
            master = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the application under test: " + command, e);
        }
        // From the start on: a test JVM that ends while the cluster boots (a Surefire timeout) must not leave it.
        Thread killOnExit = new Thread(() -> kill(master), "clutch-test-cleanup");
        Runtime.getRuntime().addShutdownHook(killOnExit);
        CompletableFuture<Matcher> ready = new CompletableFuture<>();
        Thread echo = new Thread(() -> echo(master, ready), "clutch-test-console");
        echo.setDaemon(true);
        echo.start();
        try {
            return new ForkedCluster(baseDir, master, killOnExit, messenger, ready.get(BOOT_SECONDS,
                    TimeUnit.SECONDS));
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            // Told before the kill below, which would make every master one that exited with 137.
            String what = !(e instanceof ExecutionException)
                    ? "did not become ready within " + BOOT_SECONDS + " s"
                    : exitedOrClosed(master) + " before it was ready";
            kill(master);
            removeHook(killOnExit);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("the application under test " + what + ": see its console above", e);
        }
    }

    /** Its console ended: mostly because it exited, which its exit code then says. */
    private static String exitedOrClosed(Process master) {
        try {
            if (master.waitFor(2, TimeUnit.SECONDS)) {
                return "exited with code " + master.exitValue();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "closed its console";
    }

    /** Copies the master's console to the test's, and finds the ready line in it. */
    private static void echo(Process master, CompletableFuture<Matcher> ready) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(master.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                System.out.println("[app " + master.pid() + "] " + line);
                Matcher m = ReadyLine.PATTERN.matcher(line);
                if (!ready.isDone() && m.find()) {
                    ready.complete(m);
                }
            }
        } catch (IOException e) {
            // The master is gone; the exit is reported below.
        }
        ready.completeExceptionally(new IllegalStateException("the master's console closed"));
    }

    @Override
    public ClutchTest.Mode mode() {
        return ClutchTest.Mode.MULTI;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public long agentPid() {
        return agentPid;
    }

    @Override
    public List<Long> workerPids() {
        return workerPids;
    }

    @Override
    public Messenger messenger() {
        return messenger;
    }

    @Override
    public Map<String, Object> sharedState() {
        return messenger.sharedState();
    }

    /** A graceful stop, as {@code stop} does it; what outlives it is killed. */
    @Override
    void stop() {
        // Taken now: once the master is gone, its children are no longer its descendants.
        List<ProcessHandle> children = master.descendants().toList();
        master.destroy();
        try {
            if (!master.waitFor(STOP_SECONDS, TimeUnit.SECONDS)) {
                kill(master);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill(master);
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ForkedCluster::killAndWait);
        removeHook(killOnExit);
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook runs anyway.
        }
    }

    private static void kill(Process master) {
        master.descendants().forEach(ForkedCluster::killAndWait);
        killAndWait(master.toHandle());
    }

    private static void killAndWait(ProcessHandle process) {
        process.destroyForcibly();
        process.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null).join();
    }
}
