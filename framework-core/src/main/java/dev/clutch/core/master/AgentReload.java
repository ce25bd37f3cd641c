package dev.clutch.core.master;

/**
 * The agent's step of a reload, before the workers': the running agent stops, then a new one starts on the classes
 * on disk now. Never two agents at once: the agent is the place for what must run once per host.
 */
final class AgentReload {

    private Child stopping;
    private Child starting;
    private String failure;

    /** @param running the agent to stop first, or {@code null} when it is dead */
    AgentReload(Child running) {
        this.stopping = running;
    }

    /** The old agent, until it is gone. */
    boolean isOld(Child child) {
        return stopping == child;
    }

    /** The new agent, until it is ready or has failed. */
    boolean isNew(Child child) {
        return starting == child;
    }

    void launched(Child agent) {
        stopping = null;
        starting = agent;
    }

    /** The new agent is being killed: this is why, rather than the signal that ends it. */
    void failed(String why) {
        failure = why;
    }

    /** Why the new agent failed, given how it exited. */
    String failure(int status) {
        return failure != null ? failure : ExitStatus.ended(status);
    }
}
