package dev.clutch.worker.api;

/**
 * The tasks a worker runs when a schedule of the agent says so ({@code runOnOneWorker}, {@code runOnAllWorkers}).
 * Inject it and register each task by name, for example in a lifecycle hook's {@code didLoad}. A task runs on a
 * thread of its own; a schedule's run never overlaps that schedule's previous run in this worker (a task two
 * schedules name may run for both at once).
 */
public interface ScheduledTasks {

    /**
     * Registers {@code task} under {@code name}, the task a schedule names. Registering a name again replaces its
     * task (and logs a warning); a run of a name with no task is reported to the agent as failed.
     */
    void register(String name, Task task);

    /** One scheduled task. */
    @FunctionalInterface
    interface Task {
        /** Runs once; returning is an ok run, throwing a failed one (its exception is in {@code schedule.log}). */
        void run() throws Exception;
    }
}
