package dev.clutch.worker.api;

/**
 * The tasks a worker runs when a schedule of the agent says so ({@code runOnOneWorker}, {@code runOnAllWorkers}).
 * Inject it and register each task by name, for example in a lifecycle hook's {@code didLoad}. A task runs on a
 * thread of its own and never overlaps its own previous run in this worker.
 */
public interface ScheduledTasks {

    void register(String name, Task task);

    @FunctionalInterface
    interface Task {
        void run() throws Exception;
    }
}
