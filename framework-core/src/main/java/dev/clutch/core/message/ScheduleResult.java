package dev.clutch.core.message;

/** How one run of a schedule went, where, and how long it took. */
public record ScheduleResult(String schedule, String task, boolean ok, long millis, String process, long pid,
                             String error) {
}
