package dev.clutch.worker.internal;

import dev.clutch.core.message.PayloadCodec;
import dev.clutch.core.message.StateChange;
import dev.clutch.core.message.StateResync;
import dev.clutch.core.message.StateSnapshot;
import dev.clutch.worker.api.SharedStateView;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This worker's copy of the shared state. Snapshots and changes arrive on the IPC thread in the master's order; a
 * change that does not follow the version this worker has (a gap) makes it ask for the snapshot again.
 */
final class WorkerState implements SharedStateView {

    private static final Logger log = LoggerFactory.getLogger(WorkerState.class);
    private static final int MERGE_UNTOLD_AT = 10_000;
    /** What {@link #decode} returns for a value that does not read. */
    private static final Object UNREADABLE = new Object();

    /** @param since the version when it was registered: what it had then, it reads from the snapshot */
    private record Subscription(String prefix, ChangeListener listener, long since) {
    }

    private final PayloadCodec codec;
    private final Consumer<Object> toMaster;
    private final Map<String, Object> values = new ConcurrentHashMap<>();
    private final Map<String, Long> keyVersions = new ConcurrentHashMap<>();
    /**
     * Held while a snapshot or change is applied and while {@link #snapshot()} copies: a change of several keys is
     * one version, and a copy never sees half of it. A single {@link #get} needs no lock.
     */
    private final Object applying = new Object();
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    /** Changes the listener thread has yet to tell, in order. Guarded by itself, as are the two fields after it. */
    private final ArrayDeque<Change> untold = new ArrayDeque<>();
    private boolean telling;
    /** Past this many untold changes they are merged per key ({@link #mergeUntold()}). */
    private int mergeAt = MERGE_UNTOLD_AT;
    private final CountDownLatch firstSnapshot = new CountDownLatch(1);
    private final ExecutorService listenerThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "clutch-state-listeners");
        t.setDaemon(true);
        return t;
    });
    private volatile long version;
    private volatile boolean closed;
    private boolean resyncing;

    WorkerState(PayloadCodec codec, Consumer<Object> toMaster) {
        this.codec = codec;
        this.toMaster = toMaster;
    }

    /**
     * Waits for the first snapshot; false if it did not come in time.
     *
     * @throws IllegalStateException when this view was closed meanwhile: the worker stops
     */
    boolean awaitSnapshot(Duration timeout) throws InterruptedException {
        boolean arrived = firstSnapshot.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (closed) {
            throw new IllegalStateException("stopped while waiting for the agent's state");
        }
        return arrived;
    }

    /** On the IPC thread. */
    void snapshot(StateSnapshot snapshot) {
        Map<String, Object> fresh = new java.util.HashMap<>();
        Set<String> unreadable = new HashSet<>();
        for (int i = 0; i < snapshot.keys().length; i++) {
            Object value = decode(snapshot.keys()[i], snapshot.values()[i], snapshot.version());
            if (value == UNREADABLE) {
                unreadable.add(snapshot.keys()[i]);
            } else {
                fresh.put(snapshot.keys()[i], value);
            }
        }
        synchronized (applying) {
            for (int i = 0; i < snapshot.keys().length; i++) {
                if (!unreadable.contains(snapshot.keys()[i])) {
                    keyVersions.put(snapshot.keys()[i], snapshot.keyVersions()[i]);
                }
            }
            for (String key : values.keySet()) {
                if (!fresh.containsKey(key) && !unreadable.contains(key)) {
                    keyVersions.remove(key);
                    notify(key, values.remove(key), null, snapshot.version());
                }
            }
            fresh.forEach((key, value) -> {
                Object old = values.put(key, value);
                if (!Objects.equals(old, value)) {
                    notify(key, old, value, snapshot.version());
                }
            });
            version = snapshot.version();
        }
        resyncing = false;
        firstSnapshot.countDown();
    }

    /** On the IPC thread. */
    void change(StateChange change) {
        if (resyncing || change.version() <= version) {
            return;
        }
        if (change.version() != version + 1) {
            log.warn("state version {} follows {}: a change was missed, asking the master for the snapshot",
                    change.version(), version);
            resyncing = true;
            toMaster.accept(new StateResync());
            return;
        }
        Object[] decoded = new Object[change.keys().length];
        for (int i = 0; i < decoded.length; i++) {
            decoded[i] = change.values()[i] == null ? null
                    : decode(change.keys()[i], change.values()[i], change.version());
        }
        synchronized (applying) {
            for (int i = 0; i < decoded.length; i++) {
                String key = change.keys()[i];
                Object value = decoded[i];
                if (value == UNREADABLE) {
                    continue;
                }
                Object old = value == null ? values.remove(key) : values.put(key, value);
                if (value == null) {
                    keyVersions.remove(key);
                } else {
                    keyVersions.put(key, change.version());
                }
                notify(key, old, value, change.version());
            }
            version = change.version();
        }
    }

    /**
     * A value this worker cannot read (a bug of the payload's type, its bytes damaged) must not stop the state: it
     * would fail the snapshot asked for after it too, and the worker would ignore every change from then on.
     */
    private Object decode(String key, byte[] bytes, long atVersion) {
        try {
            return codec.read(bytes);
        } catch (RuntimeException e) {
            log.error("shared state: the value of '{}' at version {} does not read in this worker ({}); the key keeps "
                    + "the value it had here", key, atVersion, e.toString());
            return UNREADABLE;
        }
    }

    private void notify(String key, Object old, Object value, long atVersion) {
        if (subscriptions.isEmpty() || closed) {
            return;
        }
        boolean start;
        synchronized (untold) {
            if (untold.size() >= mergeAt) {
                mergeUntold();
            }
            untold.add(new Change(key, old, value, atVersion));
            start = !telling;
            telling = true;
        }
        if (start) {
            try {
                listenerThread.execute(this::tellListeners);
            } catch (RejectedExecutionException e) {
                // Closed since the check above: the worker stops, and its listeners hear no more changes.
            }
        }
    }

    /**
     * Listeners this far behind would otherwise hold every change in memory for as long as they stay behind: each
     * key's waiting changes become one, from the value they last heard of to the newest, in the order the keys first
     * waited. Holding the lock.
     */
    private void mergeUntold() {
        int before = untold.size();
        Map<String, Change> merged = new LinkedHashMap<>();
        for (Change change : untold) {
            merged.merge(change.key(), change, (first, later) ->
                    new Change(first.key(), first.oldValue(), later.newValue(), later.version()));
        }
        untold.clear();
        for (Change change : merged.values()) {
            if (!Objects.equals(change.oldValue(), change.newValue())) {
                untold.add(change);
            }
        }
        // Many keys, each changed once, do not merge: do not try again before there are twice as many.
        mergeAt = Math.max(MERGE_UNTOLD_AT, 2 * untold.size());
        log.warn("state listeners are {} changes behind: merged into {}, one per key", before, untold.size());
    }

    /** On the listener thread, until no change waits. */
    private void tellListeners() {
        while (!closed) {
            Change change;
            synchronized (untold) {
                change = untold.poll();
                if (change == null) {
                    telling = false;
                    return;
                }
            }
            for (Subscription subscription : subscriptions) {
                // Changes still waiting to be told when it registered are in the snapshot it read then.
                if (change.version() > subscription.since() && change.key().startsWith(subscription.prefix())) {
                    try {
                        subscription.listener().changed(change);
                    } catch (Exception | LinkageError | AssertionError e) {
                        // Caught as a handler's are: one failing listener must not silence the others, nor stop
                        // every later change from being told (the loop would end with telling still set).
                        log.error("state listener failed on {}: {}", change.key(), e.toString(), e);
                    }
                }
            }
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> Optional<T> get(String key) {
        return Optional.ofNullable((T) values.get(key));
    }

    @Override
    public Map<String, Object> snapshot() {
        synchronized (applying) {
            return Map.copyOf(values);
        }
    }

    @Override
    public long version() {
        return version;
    }

    @Override
    public long versionOf(String key) {
        return keyVersions.getOrDefault(key, 0L);
    }

    @Override
    public void onChange(ChangeListener listener) {
        onChange("", listener);
    }

    @Override
    public void onChange(String prefix, ChangeListener listener) {
        Objects.requireNonNull(prefix, "prefix is null: \"\" listens to every key");
        Objects.requireNonNull(listener, "listener");
        synchronized (applying) {
            subscriptions.add(new Subscription(prefix, listener, version));
        }
    }

    void close() {
        closed = true;
        // A worker stopped while it waits for the agent's state (at a start, the agent not ready yet) stops waiting.
        firstSnapshot.countDown();
        listenerThread.shutdownNow();
    }
}
