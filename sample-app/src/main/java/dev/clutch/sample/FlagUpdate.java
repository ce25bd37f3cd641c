package dev.clutch.sample;

/** A worker asks the agent to set one flag: the message of {@link FlagNames#SET_ACTION}. */
public record FlagUpdate(String name, boolean enabled, int rollout) {
}
