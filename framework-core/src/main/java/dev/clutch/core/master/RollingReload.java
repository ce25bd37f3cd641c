package dev.clutch.core.master;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;

/** The progress of one rolling reload: the old workers still to replace and the new one being started. */
final class RollingReload {

    private final Deque<Child> remaining;
    private final Consumer<String> done;
    private Child current;
    private Child awaited;

    RollingReload(List<Child> oldWorkers, Consumer<String> done) {
        this.remaining = new ArrayDeque<>(oldWorkers);
        this.done = done;
    }

    /** The next old worker to replace, or {@code null} when all are. */
    Child next() {
        current = null;
        return remaining.poll();
    }

    void started(Child replacement) {
        current = replacement;
    }

    Child current() {
        return current;
    }

    /** An old worker still starting when its turn came: it is replaced once ready. */
    void await(Child starting) {
        awaited = starting;
    }

    Child awaited() {
        return awaited;
    }

    Consumer<String> done() {
        return done;
    }
}
