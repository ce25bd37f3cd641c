package dev.clutch.core.master;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dev mode's eye on the application's build output: the directories of the children's classpath
 * ({@code target/classes}, and resources copied there). Polls their files' names, sizes and times, and reports a
 * change once the directories have been still for one interval, so a build in progress triggers one restart, not
 * many. While the application's main class is missing from its directory (a build that recompiles the module
 * deletes the old classes first), the build is not done: no restart yet. Polling needs no native watch per directory
 * and sees files a build replaces in place.
 */
final class ClassesWatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClassesWatcher.class);
    private static final Duration MIN_QUIET = Duration.ofSeconds(1);
    /** A build that removed the main class and wrote nothing for this long is said to have failed. */
    private static final long MAIN_CLASS_MISSING_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final List<Path> directories;
    /** The jars of the classpath (the framework's, the libraries'), as they were at start: size and time. */
    private final Map<Path, String> jars;
    /** The main class file, where it was at start; {@code null} when it comes from a jar. */
    private final Path mainClassFile;
    private final Duration interval;
    private final Runnable changed;
    private final Thread thread;
    /** The fingerprint of the classes the last restart (or the start) was for. */
    private volatile long announced;
    private volatile boolean closed;

    private ClassesWatcher(List<Path> directories, List<Path> jars, Path mainClassFile, Duration interval,
                           Runnable changed) {
        this.directories = directories;
        this.jars = new HashMap<>();
        jars.forEach(jar -> this.jars.put(jar, stamp(jar)));
        this.mainClassFile = mainClassFile;
        this.interval = interval;
        this.changed = changed;
        this.announced = fingerprint();
        this.thread = new Thread(this::run, "clutch-dev-watch");
        this.thread.setDaemon(true);
    }

    /**
     * Watches the directories of {@code classpath}; {@code changed} runs on the watcher's thread.
     *
     * @param mainClass the application's class, whose file tells a finished build from one in progress
     * @return the running watcher, or {@code null} when the classpath has no directory (a packaged jar)
     */
    static ClassesWatcher start(String classpath, Class<?> mainClass, Duration interval, Runnable changed) {
        List<Path> entries = Stream.of(classpath.split(File.pathSeparator))
                .filter(entry -> !entry.isBlank())
                .map(Path::of)
                .toList();
        List<Path> directories = entries.stream().filter(Files::isDirectory).toList();
        if (directories.isEmpty()) {
            log.warn("dev mode: no directory on the classpath to watch (the application runs from jars)");
            return null;
        }
        String classFile = mainClass.getName().replace('.', '/') + ".class";
        Path mainClassFile = directories.stream().map(d -> d.resolve(classFile)).filter(Files::exists).findFirst()
                .orElse(null);
        ClassesWatcher watcher = new ClassesWatcher(directories, entries.stream().filter(Files::isRegularFile).toList(),
                mainClassFile, interval, changed);
        log.info("dev mode: watching {} for rebuilt classes", directories);
        watcher.thread.start();
        return watcher;
    }

    /**
     * Whether the classes on disk differ from those the last restart was for: a build is writing them, or has
     * just finished and its restart is coming. Walks the directories on the caller's thread (milliseconds).
     */
    boolean rebuilding() {
        return fingerprint() != announced;
    }

    private void run() {
        long seen = announced;
        long pending = seen;
        long stillSince = System.nanoTime();
        boolean toldMainClassMissing = false;
        while (!closed) {
            try {
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            try {
                checkJars();
                long now = fingerprint();
                if (now != pending) {
                    // Still being written: wait until it has been quiet long enough.
                    pending = now;
                    stillSince = System.nanoTime();
                    toldMainClassMissing = false;
                } else if (now != seen && System.nanoTime() - stillSince >= quietNanos()) {
                    if (mainClassFile != null && !Files.exists(mainClassFile)) {
                        // javac may write nothing for seconds after deleting the old classes: not at once.
                        if (!toldMainClassMissing && System.nanoTime() - stillSince >= MAIN_CLASS_MISSING_NANOS) {
                            toldMainClassMissing = true;
                            log.warn("dev mode: the build removed {} and has not written it again (a compile error?): "
                                    + "no restart; the running agent and workers keep the classes they loaded, and "
                                    + "fail on those they have not", mainClassFile);
                        }
                    } else {
                        toldMainClassMissing = false;
                        seen = now;
                        announced = now;
                        changed.run();
                    }
                }
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) {
                // A LinkageError, most likely (a jar of the master's rewritten in place): dev mode must not end with
                // this thread in silence.
                log.error("dev mode: reacting to the rebuilt classes failed: {}; still watching", e.toString(), e);
            }
        }
    }

    /**
     * A jar rewritten in place breaks the JVMs that have it open: said once per jar, as soon as it is seen (a
     * restart of the master is what helps).
     */
    private void checkJars() {
        for (Iterator<Map.Entry<Path, String>> it = jars.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Path, String> jar = it.next();
            if (!stamp(jar.getKey()).equals(jar.getValue())) {
                it.remove();
                log.error("dev mode: {} changed under the running master (an mvn install of it?): a JVM that has a "
                        + "jar open fails to load classes from it once it is rewritten; stop mvn exec:java and start "
                        + "it again", jar.getKey());
            }
        }
    }

    private static String stamp(Path file) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return attributes.size() + "@" + attributes.lastModifiedTime().toMillis();
        } catch (IOException e) {
            return "gone";
        }
    }

    /**
     * At least {@link #MIN_QUIET}: Maven pauses between the steps of one build (resources copied, then the compiler
     * starts, which may first delete the classes it will write again), and a restart in that pause fails.
     */
    private long quietNanos() {
        return Math.max(interval.toNanos(), MIN_QUIET.toNanos());
    }

    /** A hash of every file's path, size and modification time under the watched directories. */
    private long fingerprint() {
        long hash = 17;
        for (Path directory : directories) {
            try (Stream<Path> files = Files.walk(directory)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    hash = 31 * hash + file.hashCode();
                    try {
                        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class,
                                LinkOption.NOFOLLOW_LINKS);
                        hash = 31 * hash + attributes.size();
                        hash = 31 * hash + attributes.lastModifiedTime().toMillis();
                    } catch (IOException e) {
                        // Deleted since the walk listed it, or unreadable: its name alone counts.
                    }
                }
            } catch (IOException | UncheckedIOException e) {
                // A directory deleted while walking (the build is running) or one that cannot be read: the failure
                // is part of the picture, so one that lasts still lets the tree look still.
                hash = 31 * hash + String.valueOf(e.getMessage()).hashCode();
            }
        }
        return hash;
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
