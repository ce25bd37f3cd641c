package dev.clutch.core.master;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * When a worker that died after cluster-ready may be replaced: at once while fewer than {@code limit} replacements
 * were forked in the last {@code window}; past that, after a backoff that starts at 1 s and doubles up to 60 s, and
 * falls back once forks are rare again. Apart from that count, replacements wait the same way once
 * {@value #FAILED_BOOTS_BEFORE_BACKOFF} in a row exited before they were ready, until one is: a worker that dies at
 * every boot would otherwise be forked again as fast as a JVM starts, below any limit a large cluster needs.
 * Capacity always comes back, never in a tight fork loop.
 */
final class ReforkLimiter {

    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(60);
    static final int FAILED_BOOTS_BEFORE_BACKOFF = 3;

    private final int limit;
    private final long windowNanos;
    private final Deque<Long> forks = new ArrayDeque<>();
    private long backoffNanos;
    private long notBeforeNanos;
    private int failedBoots;
    private long bootBackoffNanos;
    private long bootNotBeforeNanos;

    ReforkLimiter(int limit, Duration window) {
        this.limit = limit;
        this.windowNanos = window.toNanos();
    }

    /**
     * The same history under new limits (a reload changed them): the recent forks count against the new limit, and
     * replacements that keep failing before they are ready still wait. A reload in a crash loop must not make forks
     * immediate again.
     */
    ReforkLimiter withLimits(int newLimit, Duration newWindow) {
        ReforkLimiter next = new ReforkLimiter(newLimit, newWindow);
        next.forks.addAll(forks);
        next.failedBoots = failedBoots;
        next.bootBackoffNanos = bootBackoffNanos;
        next.bootNotBeforeNanos = bootNotBeforeNanos;
        return next;
    }

    /** Whether a replacement may be forked now. */
    boolean mayFork(long nowNanos) {
        forget(nowNanos);
        return nowNanos - notBeforeNanos >= 0 && (bootBackoffNanos == 0 || nowNanos - bootNotBeforeNanos >= 0);
    }

    /**
     * Records a fork at {@code nowNanos}.
     *
     * @return true if this fork crossed the limit, so forks wait from now on: the moment to raise the alarm, once
     *     per crossing
     */
    boolean forked(long nowNanos) {
        forget(nowNanos);
        if (forks.size() < limit - 1 || forks.isEmpty()) {
            // Forks are rare again. With a limit of 1 every fork reaches it, the first in a quiet window too.
            backoffNanos = 0;
        }
        forks.addLast(nowNanos);
        if (forks.size() < limit) {
            return false;
        }
        boolean crossed = backoffNanos == 0;
        backoffNanos = nextBackoff(backoffNanos);
        notBeforeNanos = nowNanos + backoffNanos;
        return crossed;
    }

    /**
     * Records a worker that exited, or was killed, before it was ready.
     *
     * @return true if this failure starts the wait between replacements: the moment to raise the alarm, once per
     *     run of failures
     */
    boolean failedBeforeReady(long nowNanos) {
        failedBoots++;
        if (failedBoots < FAILED_BOOTS_BEFORE_BACKOFF) {
            return false;
        }
        boolean starts = bootBackoffNanos == 0;
        bootBackoffNanos = nextBackoff(bootBackoffNanos);
        bootNotBeforeNanos = nowNanos + bootBackoffNanos;
        return starts;
    }

    /** A worker became ready: the failures before it no longer hold replacements back. */
    void workerReady() {
        failedBoots = 0;
        bootBackoffNanos = 0;
    }

    /** How many workers in a row exited before they were ready. */
    int failedBoots() {
        return failedBoots;
    }

    /** How long until a replacement may be forked; zero when it may now. */
    Duration waitFrom(long nowNanos) {
        long bootWait = bootBackoffNanos == 0 ? 0 : bootNotBeforeNanos - nowNanos;
        return Duration.ofNanos(Math.max(0, Math.max(notBeforeNanos - nowNanos, bootWait)));
    }

    /** The wait before the next fork, zero when none. */
    Duration currentBackoff() {
        return Duration.ofNanos(Math.max(backoffNanos, bootBackoffNanos));
    }

    /** 1 s after none, then twice the last, up to 60 s. */
    private static long nextBackoff(long lastNanos) {
        return lastNanos == 0 ? FIRST_BACKOFF.toNanos() : Math.min(lastNanos * 2, MAX_BACKOFF.toNanos());
    }

    private void forget(long nowNanos) {
        while (!forks.isEmpty() && nowNanos - forks.peekFirst() > windowNanos) {
            forks.removeFirst();
        }
    }
}
