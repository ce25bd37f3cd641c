package dev.clutch.core.message;

/**
 * How one run of a schedule went, where, and how long it took.
 *
 * @param skipped not run at all, since its previous run in that process still runs ({@code error} says so)
 */
public record ScheduleResult(String schedule, String task, boolean ok, boolean skipped, long millis, String process,
                             long pid, String error) {
}
