package dev.clutch.core.master;

import dev.clutch.core.logging.LogLayout;
import dev.clutch.core.message.ClusterReady;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Cluster-ready: every process told, the ready line printed once, the master's start-up garbage returned. */
final class ReadyAnnouncement {

    private static final Logger fileOnly = LoggerFactory.getLogger(LogLayout.FILE_ONLY_LOGGER);

    private ReadyAnnouncement() {
    }

    /** What a worker that becomes ready later is told as well. */
    static ClusterReady message(ProcessTable table, PortSharing sharing) {
        long agentPid = table.agent().map(Child::pid).orElse(0L);
        long[] workerPids = table.readyWorkers().stream().mapToLong(Child::pid).toArray();
        return new ClusterReady(agentPid, workerPids, sharing.url());
    }

    static void announce(ProcessTable table, PortSharing sharing, long millisSinceStart) {
        Child agent = table.agent().orElseThrow();
        long[] workerPids = table.workers().stream().mapToLong(Child::pid).toArray();
        ClusterReady ready = message(table, sharing);
        for (Child child : table.all()) {
            child.send(ready);
        }
        String line = ReadyLine.format(millisSinceStart, agent.pid(), workerPids, sharing.url());
        // One write: the master's console also carries its children's lines, which must not split this one.
        System.out.print(line + System.lineSeparator());
        System.out.flush();
        fileOnly.info(line);
        collectStartupGarbage();
    }

    /**
     * The master's JVM is the user's, sized by the JDK's defaults for a server: once started, one collection
     * returns the start-up garbage (class loading, configuration, launching) and lets the heap shrink back, about
     * 17 MiB resident here; then the native heap is trimmed from now on. Off the master's thread: a pause of
     * milliseconds.
     */
    private static void collectStartupGarbage() {
        Thread collector = new Thread(() -> {
            System.gc();
            NativeHeapTrim.startOnce();
        }, "clutch-startup-gc");
        collector.setDaemon(true);
        collector.start();
    }
}
