package dev.clutch.core.master;

import dev.clutch.core.api.Role;
import dev.clutch.core.ipc.ChildConnection;
import dev.clutch.core.message.Destination;
import dev.clutch.core.message.Envelope;
import dev.clutch.core.message.Sender;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/** The master's record of one child process. Touched by the master's thread only. */
final class Child {

    enum Phase {
        STARTING,
        READY,
        STOPPING
    }

    /** Told of every phase a child enters after its start. */
    interface PhaseListener {
        void entered(Child child, Phase phase);
    }

    private final Role role;
    private final int workerId;
    private final ChildProcess process;
    private final String build;
    private final PhaseListener phases;
    private Phase phase = Phase.STARTING;
    private long deadlineNanos;
    private ChildConnection messages;
    private ChildConnection descriptors;
    private long descriptorsLostAtNanos;
    private Duration stopOrderTimeout;
    private Child replacing;
    private boolean retiring;
    private boolean wasReady;
    /** Its start ended: at its ready for the agent, once its didReady hooks ran for a worker (ReadyHooksDone). */
    private boolean started;
    private boolean killed;
    private boolean silent;
    private long lastHeartbeatNanos;
    private long killAtNanos;
    private long launchedAtNanos;
    private long requests;
    private long requestLimit;

    /** @param build what it was launched from ({@link BuildFingerprint}), or {@code null} if unknown */
    Child(Role role, int workerId, ChildProcess process, String build, long launchedAtNanos, long deadlineNanos,
          PhaseListener phases) {
        this.role = role;
        this.phases = phases;
        this.workerId = workerId;
        this.process = process;
        this.build = build;
        this.launchedAtNanos = launchedAtNanos;
        this.deadlineNanos = deadlineNanos;
    }

    long launchedAtNanos() {
        return launchedAtNanos;
    }

    /** The build it was launched from, or {@code null} if unknown. */
    String build() {
        return build;
    }

    long requests() {
        return requests;
    }

    void requests(long served) {
        this.requests = served;
    }

    /** When its descriptor connection closed while it ran; 0 while it is open. */
    long descriptorsLostAtNanos() {
        return descriptorsLostAtNanos;
    }

    void descriptorsLost(long atNanos) {
        this.descriptorsLostAtNanos = atNanos;
    }

    /** The request count at which this worker is recycled; 0 until decided. */
    long requestLimit() {
        return requestLimit;
    }

    void requestLimit(long limit) {
        this.requestLimit = limit;
    }

    Role role() {
        return role;
    }

    int workerId() {
        return workerId;
    }

    long pid() {
        return process.pid();
    }

    ChildProcess process() {
        return process;
    }

    Phase phase() {
        return phase;
    }

    /** Moves to {@code next}, with the time by which the phase must end (start or stop timeout). */
    void enter(Phase next, long nextDeadlineNanos) {
        this.phase = next;
        wasReady |= next == Phase.READY;
        this.deadlineNanos = nextDeadlineNanos;
        phases.entered(this, next);
    }

    /** A new deadline for the current phase: a worker launched beside the agent has its own once the agent is ready. */
    void deadlineAt(long nanos) {
        this.deadlineNanos = nanos;
    }

    /** Its heartbeats are late: it gets no new connections until one comes. */
    void silent(boolean late) {
        silent = late;
    }

    boolean isSilent() {
        return silent;
    }

    /** The master sent it SIGKILL. */
    void killed() {
        killed = true;
    }

    boolean wasKilled() {
        return killed;
    }

    /** Whether it has been ready at some time, stopping or not now. */
    boolean wasReady() {
        return wasReady;
    }

    /**
     * The master did not run for {@code nanos} (stopped, or the machine paused): what this child sent meanwhile is
     * still unread, so its deadline and heartbeat clocks go on from where they stood, not from now.
     */
    void shiftClocks(long nanos) {
        deadlineNanos += nanos;
        lastHeartbeatNanos += nanos;
        if (killAtNanos != 0) {
            killAtNanos += nanos;
        }
    }

    /** How long until the current phase's deadline, zero once it has passed. */
    Duration untilDeadline(long nowNanos) {
        return Duration.ofNanos(Math.max(0, deadlineNanos - nowNanos));
    }

    boolean isPastDeadline(long nowNanos) {
        return (phase != Phase.READY || !started) && nowNanos - deadlineNanos > 0;
    }

    /** The deadline of the current phase. */
    long deadlineNanos() {
        return deadlineNanos;
    }

    void markStarted() {
        started = true;
    }

    boolean hasStarted() {
        return started;
    }

    /** Not ready yet, or a worker whose didReady hooks still run: its start may still fail. */
    boolean isStarting() {
        return phase == Phase.STARTING || (phase == Phase.READY && !started);
    }

    /** The master will send the stop order, with this timeout, once it is safe to. */
    void awaitStopOrder(Duration timeout) {
        stopOrderTimeout = timeout;
    }

    boolean stopOrderPending() {
        return stopOrderTimeout != null;
    }

    Duration stopOrderTimeout() {
        return stopOrderTimeout;
    }

    void stopOrderSent() {
        stopOrderTimeout = null;
    }

    /** The worker this one replaces once ready (after a fatal error), or {@code null}. */
    Child replacing() {
        return replacing;
    }

    void replacing(Child old) {
        this.replacing = old;
    }

    /** A retiring worker is being replaced: it no longer counts towards the target. */
    boolean isRetiring() {
        return retiring;
    }

    void retire() {
        this.retiring = true;
    }

    long lastHeartbeatNanos() {
        return lastHeartbeatNanos;
    }

    void heartbeat(long nowNanos) {
        this.lastHeartbeatNanos = nowNanos;
    }

    /** When a hung worker whose thread dump was asked for is to be killed; 0 when not hung. */
    long killAtNanos() {
        return killAtNanos;
    }

    void killAt(long nanos) {
        this.killAtNanos = nanos;
    }

    /** Sends the master's own message to it, once it is connected. */
    void send(Object body) {
        if (messages != null) {
            messages.send(new Envelope(null, Destination.process(pid()), body));
        }
    }

    /** The last lines of its stderr, for a log line or an alarm about it. */
    String stderrTail() {
        List<String> lines = process.lastStderrLines();
        if (lines.isEmpty()) {
            return "; it wrote nothing to stderr";
        }
        return "; last lines of its stderr:" + lines.stream().map(l -> "\n    | " + l).collect(Collectors.joining());
    }

    ChildConnection messages() {
        return messages;
    }

    /** Takes the child's connection of its kind; false if it already has one. */
    boolean attach(ChildConnection connection) {
        switch (connection.kind()) {
            case MESSAGES -> {
                if (messages != null) {
                    return false;
                }
                messages = connection;
            }
            case DESCRIPTORS -> {
                if (descriptors != null) {
                    return false;
                }
                descriptors = connection;
            }
            default -> throw new IllegalArgumentException("unknown connection kind " + connection.kind());
        }
        return true;
    }

    ChildConnection descriptors() {
        return descriptors;
    }

    Sender sender() {
        return new Sender(role, workerId, pid());
    }

    String describe() {
        return sender().describe();
    }
}
