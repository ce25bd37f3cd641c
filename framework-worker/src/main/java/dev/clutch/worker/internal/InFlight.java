package dev.clutch.worker.internal;

import java.time.Duration;

/** Counts the requests a worker is serving, so a drain can wait for them, and those it has served. */
final class InFlight {

    private int count;
    private long served;

    synchronized void begin() {
        count++;
    }

    synchronized void end() {
        count--;
        served++;
        if (count == 0) {
            notifyAll();
        }
    }

    /** Requests answered so far. */
    synchronized long served() {
        return served;
    }

    synchronized int count() {
        return count;
    }

    /** Waits until no request is in flight or the timeout passes; true if idle. */
    synchronized boolean awaitIdle(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (count > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
