package dev.clutch.sample.worker;

/**
 * One flag as the API shows it.
 *
 * @param rollout percent of users it is on for, 0 to 100
 * @param version the shared-state version that last changed it: the same on every worker
 */
public record Flag(String name, boolean enabled, int rollout, long version) {

    /** Fully on or fully off: nothing left to roll out, so the flag can go from the code. */
    boolean isStale() {
        return !enabled || rollout == 0 || rollout == 100;
    }
}
