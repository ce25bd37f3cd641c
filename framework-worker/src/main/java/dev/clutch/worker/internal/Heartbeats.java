package dev.clutch.worker.internal;

import dev.clutch.core.message.Heartbeat;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the master this worker is alive, but only while every HTTP event loop still turns: each loop stamps a time
 * on every interval, and a thread of its own (out of the request threads' reach) sends the heartbeat when all
 * stamps are fresh. A loop stuck in a handler silences the worker, and the master replaces it.
 */
final class Heartbeats implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Heartbeats.class);

    private final List<AtomicLong> stamps = new ArrayList<>();
    private final ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "clutch-heartbeat");
        t.setDaemon(true);
        return t;
    });

    Heartbeats(EventLoopGroup loops, Duration interval, LongSupplier requestsServed, Consumer<Object> toMaster) {
        long millis = interval.toMillis();
        for (EventExecutor loop : loops) {
            AtomicLong stamp = new AtomicLong(System.nanoTime());
            stamps.add(stamp);
            loop.scheduleAtFixedRate(() -> stamp.set(System.nanoTime()), 0, millis, TimeUnit.MILLISECONDS);
        }
        long freshNanos = 2 * interval.toNanos();
        sender.scheduleAtFixedRate(() -> {
            // A periodic task that throws is cancelled without a word: catch everything, log, go on.
            try {
                long now = System.nanoTime();
                if (stamps.stream().allMatch(s -> now - s.get() < freshNanos)) {
                    toMaster.accept(new Heartbeat(requestsServed.getAsLong()));
                }
            } catch (RuntimeException | Error e) {
                log.error("heartbeat failed: {}", e.toString(), e);
            }
        }, millis, millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        sender.shutdownNow();
    }
}
