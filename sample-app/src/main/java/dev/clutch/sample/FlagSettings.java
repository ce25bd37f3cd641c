package dev.clutch.sample;

import java.time.Duration;

/**
 * The application's own settings, {@code flags { ... }} in {@code application.conf}.
 *
 * @param statsEvery how often the agent logs flag statistics
 * @param staleCheck when one worker looks for stale flags (cron, with seconds)
 * @param applyTimeout how long a PUT waits for its change to reach the worker that took it
 */
public record FlagSettings(Duration statsEvery, String staleCheck, Duration applyTimeout) {
}
