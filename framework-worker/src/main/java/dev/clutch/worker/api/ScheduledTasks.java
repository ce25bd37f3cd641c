package dev.clutch.worker.api;

/**
 * The tasks a worker runs when a schedule of the agent says so ({@code runOnOneWorker}, {@code runOnAllWorkers}).
 * Inject it and register each task by name, for example in a lifecycle hook's {@code didLoad}. A task runs on a
 * thread of its own; a schedule's run never overlaps that schedule's previous run in this worker (a task two
 * schedules name may run for both at once).
 */
public interface ScheduledTasks {

    void register(String name, Task task);

    @FunctionalInterface
    interface Task {
        void run() throws Exception;
    }
}
