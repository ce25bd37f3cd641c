package dev.clutch.core.message;

/** The master tells the workers the agent died; they keep serving with the state they have. */
public record AgentDown(long agentPid, String cause) {
}
