package dev.clutch.core.master;

import dev.clutch.core.api.Role;
import dev.clutch.core.logging.Plural;
import dev.clutch.core.message.StopRequest;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends children's lives, on the master's thread: asks a child to stop (a worker only once it has taken every
 * connection handed to it, so none is lost), and kills one that outlives its time. The {@link Master} decides when;
 * every stop and kill goes through here, so a stopping worker always leaves the rotation first.
 */
final class ChildStopper {

    private static final Logger log = LoggerFactory.getLogger(ChildStopper.class);
    /** After a SIGKILL, how long before the master says so again: the exit event is on its way. */
    private static final long KILL_GRACE_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final PortSharing sharing;
    private final LongSupplier nanoClock;

    ChildStopper(PortSharing sharing, LongSupplier nanoClock) {
        this.sharing = sharing;
        this.nanoClock = nanoClock;
    }

    /** Asks {@code child} to stop within {@code timeout}; nothing if it is stopping already. */
    void askToStop(Child child, Duration timeout) {
        if (child.phase() == Child.Phase.STOPPING) {
            return;
        }
        // The child spends up to the timeout draining, then closes and runs its beforeClose hooks: the kill
        // waits for that too. A worker taken for hung keeps the kill it was promised (a second after its thread
        // dump): it cannot act on a stop order.
        long deadline = nanoClock.getAsLong() + timeout.toNanos() + StopRequest.GRACE.toNanos();
        if (child.killAtNanos() != 0 && child.killAtNanos() - deadline < 0) {
            deadline = child.killAtNanos();
        }
        child.enter(Child.Phase.STOPPING, deadline);
        if (child.role() == Role.WORKER) {
            sharing.workerLeaving(child.pid());
        }
        child.awaitStopOrder(timeout);
        if (child.messages() == null || !child.messages().isOpen()) {
            // A child that connects just after the SIGTERM waits for a stop order (it cannot tell this stop from
            // a signal to the whole group): the order goes once its connection is there, a tick later.
            child.process().terminate();
            return;
        }
        sendPendingStopOrder(child, nanoClock.getAsLong());
    }

    /**
     * Kills {@code child} now: it gets no more connections, and its exit event follows; should none come within the
     * grace, {@link #tick} kills it again.
     */
    void kill(Child child) {
        if (child.role() == Role.WORKER) {
            sharing.workerLeaving(child.pid());
        }
        child.process().kill();
        child.killed();
        child.stopOrderSent();
        child.enter(Child.Phase.STOPPING, nanoClock.getAsLong() + KILL_GRACE_NANOS);
    }

    /** Each tick of the master: sends the stop order that may go now, kills a stopping child past its time. */
    void tick(Child child, long nowNanos) {
        sendPendingStopOrder(child, nowNanos);
        if (child.phase() != Child.Phase.STOPPING || !child.isPastDeadline(nowNanos) || !child.process().isAlive()) {
            return;
        }
        if (child.wasKilled()) {
            log.warn("{} is still alive {} ms after it was killed: killing it again", child.describe(),
                    TimeUnit.NANOSECONDS.toMillis(KILL_GRACE_NANOS));
        } else if (child.killAtNanos() != 0) {
            log.warn("{} was taken for hung: killed after its thread dump, as announced", child.describe());
        } else if (child.stopOrderPending() && child.messages() != null) {
            log.warn("{} had not taken {} handed to it when its stop time came (clutch.worker.killTimeout): "
                    + "killed", child.describe(), Plural.of(sharing.untaken(child.pid()), "connection"));
        } else {
            String key = child.role() == Role.AGENT ? "clutch.agent.killTimeout" : "clutch.worker.killTimeout";
            log.warn("{} did not stop in time ({}, then {} ms for its beforeClose hooks): killed{}",
                    child.describe(), key, StopRequest.GRACE.toMillis(), child.stderrTail());
        }
        kill(child);
    }

    /** A worker gets its stop order once it has taken every connection handed to it, so none is lost. */
    private void sendPendingStopOrder(Child child, long nowNanos) {
        if (child.stopOrderPending() && child.messages() != null && sharing.allTaken(child.pid())) {
            // Sent late (the worker was still taking connections), the order carries what is left of its time: a
            // worker counting the whole timeout from now would be killed in its drain or its beforeClose hooks.
            Duration left = child.untilDeadline(nowNanos).minus(StopRequest.GRACE);
            long millis = left.isNegative() ? 0 : Math.min(child.stopOrderTimeout().toMillis(),
                    left.plusNanos(999_999).toMillis());
            child.send(new StopRequest(millis));
            child.stopOrderSent();
        }
    }
}
