package dev.clutch.core.testing;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A client that keeps sending {@code GET path} on a new connection each time, from its own thread, until closed:
 * the steady load of reload and replacement scenarios. Records the failures and the {@code X-Clutch-Worker} of each
 * answer.
 */
public final class SteadyClient implements AutoCloseable {

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger answered = new AtomicInteger();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final Set<Long> servedBy = ConcurrentHashMap.newKeySet();
    private final Thread thread;

    private SteadyClient(int port, String path) {
        thread = new Thread(() -> {
            while (running.get()) {
                try {
                    RawHttp.Reply reply = RawHttp.get(port, path);
                    if (reply.status() == 200) {
                        answered.incrementAndGet();
                        servedBy.add(Long.parseLong(reply.header("X-Clutch-Worker")));
                    } else {
                        failures.add("status " + reply.status());
                    }
                } catch (IOException | RuntimeException e) {
                    failures.add(e.toString());
                }
            }
        }, "steady-client");
        thread.start();
    }

    public static SteadyClient start(int port, String path) {
        return new SteadyClient(port, path);
    }

    public int answered() {
        return answered.get();
    }

    public List<String> failures() {
        return List.copyOf(failures);
    }

    /** The pids of the workers that answered so far. */
    public Set<Long> servedBy() {
        return Set.copyOf(servedBy);
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join(15_000);
    }
}
