package dev.clutch.core.child;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The messages waiting for a process's handler thread. The IPC thread adds them; the handler thread takes them in
 * batches, so a burst costs one hand-off between threads, not one per message. Past {@link #HIGH} waiting messages
 * the link to the master stops reading (the master then holds back the senders) until the handlers are down to
 * {@link #LOW}: memory stays bounded however far the handlers fall behind.
 */
final class HandlerQueue<T> {

    private static final Logger log = LoggerFactory.getLogger(HandlerQueue.class);
    static final int HIGH = 16_384;
    static final int LOW = HIGH / 4;

    private final Executor handlerThread;
    private final Consumer<T> handler;
    private final MessageLink link;
    private final ArrayDeque<T> waiting = new ArrayDeque<>();
    private boolean draining;
    private boolean paused;

    HandlerQueue(Executor handlerThread, Consumer<T> handler, MessageLink link) {
        this.handlerThread = handlerThread;
        this.handler = handler;
        this.link = link;
    }

    /** Queues one message; on the IPC thread. */
    void add(T message) {
        boolean start;
        synchronized (this) {
            waiting.add(message);
            if (!paused && waiting.size() >= HIGH) {
                paused = true;
                link.reading(false);
            }
            start = !draining;
            draining = true;
        }
        if (start) {
            handlerThread.execute(this::drain);
        }
    }

    private void drain() {
        ArrayDeque<T> batch = new ArrayDeque<>();
        try {
            drain(batch);
        } catch (Error e) {
            // The handler let a fatal error through (its process decides what that means, from the uncaught-error
            // handler): the thread goes, the queue does not. What the batch still held goes back first, in order.
            synchronized (this) {
                batch.descendingIterator().forEachRemaining(waiting::addFirst);
                draining = false;
            }
            restart();
            throw e;
        }
    }

    private void drain(ArrayDeque<T> batch) {
        while (true) {
            synchronized (this) {
                if (waiting.isEmpty()) {
                    draining = false;
                    return;
                }
                // Taking a bounded batch keeps the lock short and lets reading resume while the batch runs.
                for (int i = 0; i < LOW && !waiting.isEmpty(); i++) {
                    batch.add(waiting.poll());
                }
                if (paused && waiting.size() <= LOW) {
                    paused = false;
                    link.reading(true);
                }
            }
            for (T message = batch.poll(); message != null; message = batch.poll()) {
                try {
                    handler.accept(message);
                } catch (RuntimeException e) {
                    // The handler reports its own failures; this keeps one that escapes from ending the drain.
                    log.error("handling a message failed: {}", e.toString(), e);
                }
            }
        }
    }

    /** A new drain on a new handler thread, if messages wait and none is draining. */
    private void restart() {
        synchronized (this) {
            if (waiting.isEmpty() || draining) {
                return;
            }
            draining = true;
        }
        try {
            handlerThread.execute(this::drain);
        } catch (RejectedExecutionException e) {
            // The process is stopping: its handlers are done.
        }
    }
}
