package dev.clutch.core.master;

import dev.clutch.core.message.StateChange;
import dev.clutch.core.message.StateSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared state the master serves the workers, and what an agent builds while it starts. The first agent of a
 * start: the workers, launched beside it, get no state until it is ready, then its state whole. A reload's new
 * agent: the workers keep the state they have until it is ready, then get its state whole, at versions that go on
 * from the old ones. Changed on the master's IPC thread; {@link #snapshot} is safe from any.
 */
final class StateRelay {

    private static final Logger log = LoggerFactory.getLogger(StateRelay.class);

    private volatile StateStore served = new StateStore();
    /** What a starting agent publishes until it is ready; {@code null} otherwise. */
    private StateStore incoming = new StateStore();
    /** Whether an agent of this start was ever ready: until then there is no state to serve. */
    private boolean serving;
    /** Added to the versions of an agent started while the cluster serves, so the workers' versions only go up. */
    private long versionOffset;
    /** The generation of payload types of the agent that published the served state: others cannot read it. */
    private int servedGeneration;

    /** Every process starts again (dev mode): the next agent publishes from version 1, for {@code generation}. */
    void reset(int generation) {
        served = new StateStore();
        incoming = new StateStore();
        serving = false;
        versionOffset = 0;
        servedGeneration = generation;
    }

    /**
     * A reload's new agent is about to be launched: the workers keep the state they have meanwhile. Its state starts
     * one version past the served one, so that even a new agent that publishes nothing before it is ready serves a
     * newer version than the old state: at the same version, the workers would take the snapshot without telling
     * their listeners what it removed.
     */
    void newAgentStarting() {
        versionOffset = served.version() + 1;
        incoming = new StateStore(versionOffset);
    }

    /** A reload's new agent exited before it was ready: the workers keep the state they have. */
    void newAgentGone() {
        incoming = null;
    }

    /**
     * The starting agent, of {@code generation}, is ready: its state is served from now on.
     *
     * @return false when no agent was starting
     */
    boolean newAgentReady(int generation) {
        if (incoming == null) {
            return false;
        }
        served = incoming;
        incoming = null;
        serving = true;
        servedGeneration = generation;
        return true;
    }

    /**
     * A change from the running agent.
     *
     * @return the change to send the workers that {@link #serves can read it}, numbered for them; {@code null}
     *     when it is kept aside (a new agent starting) or does not follow the last version (logged)
     */
    StateChange apply(StateChange sent) {
        StateChange change = versionOffset == 0 ? sent
                : new StateChange(sent.version() + versionOffset, sent.keys(), sent.values());
        StateStore target = incoming != null ? incoming : served;
        if (!target.apply(change)) {
            log.error("state change {} from the agent does not follow version {}: ignored", sent.version(),
                    target.version() - versionOffset);
            return null;
        }
        return target == incoming ? null : change;
    }

    /** Whether there is state for the workers of {@code generation}: an agent was ready, of their generation. */
    boolean serves(int generation) {
        return serving && generation == servedGeneration;
    }

    /** The generation of payload types of the agent that published the served state. */
    int servedGeneration() {
        return servedGeneration;
    }

    /** The served state, whole. */
    StateSnapshot snapshot() {
        return served.snapshot();
    }
}
