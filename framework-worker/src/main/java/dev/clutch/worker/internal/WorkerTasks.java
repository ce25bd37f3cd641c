package dev.clutch.worker.internal;

import dev.clutch.core.api.Messenger;
import dev.clutch.core.logging.ProcessLabel;
import dev.clutch.core.message.ScheduleResult;
import dev.clutch.core.message.ScheduleRun;
import dev.clutch.worker.api.ScheduledTasks;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the scheduled tasks the agent triggers in this worker and reports each run's result. */
final class WorkerTasks implements ScheduledTasks {

    private static final Logger log = LoggerFactory.getLogger(WorkerTasks.class);

    private final Map<String, Task> tasks = new ConcurrentHashMap<>();
    /** Per schedule, not per task: two schedules of one task each have their own runs. */
    private final Map<String, AtomicBoolean> running = new ConcurrentHashMap<>();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "clutch-scheduled-task");
        t.setDaemon(true);
        return t;
    });
    private final ProcessLabel label;
    private final FatalErrors fatalErrors;

    WorkerTasks(Messenger messenger, ProcessLabel label, FatalErrors fatalErrors) {
        this.label = label;
        this.fatalErrors = fatalErrors;
        messenger.on(ScheduleRun.ACTION, message -> {
            ScheduleRun run = (ScheduleRun) message.payload();
            CompletableFuture<ScheduleResult> result = CompletableFuture.supplyAsync(() -> run(run), threads);
            if (run.reportToAgent()) {
                result.thenAccept(r -> report(messenger, r));
            }
            return result;
        });
    }

    /** An all-workers run's result goes to the agent, which logs it; if it cannot, this worker's log says so. */
    private void report(Messenger messenger, ScheduleResult result) {
        try {
            messenger.sendToAgent(ScheduleRun.RESULT_ACTION, result);
        } catch (RuntimeException e) {
            log.warn("schedule {}: the result of its run in {} ({}, {} ms) could not be sent to the agent, so "
                    + "schedule.log misses it: {}", result.schedule(), label.fileName(),
                    result.ok() ? "ok" : result.skipped() ? "skipped" : "failed: " + result.error(), result.millis(),
                    e.getMessage());
        }
    }

    @Override
    public void register(String name, Task task) {
        if (tasks.put(name, task) != null) {
            log.warn("task '{}' was registered twice in {}: only the last one runs", name, label.fileName());
        }
    }

    private ScheduleResult run(ScheduleRun run) {
        long pid = ProcessHandle.current().pid();
        Task task = tasks.get(run.task());
        if (task == null) {
            return result(run, false, 0, "no task '" + run.task() + "' is registered in " + label.fileName());
        }
        // Bounded: the agent sends the schedules its application declared, a fixed set.
        AtomicBoolean busy = running.computeIfAbsent(run.schedule(), schedule -> new AtomicBoolean());
        if (!busy.compareAndSet(false, true)) {
            return new ScheduleResult(run.schedule(), run.task(), false, true, 0, label.fileName(),
                    ProcessHandle.current().pid(), "its previous run in " + label.fileName() + " is still running");
        }
        long started = System.nanoTime();
        try {
            task.run();
            return result(run, true, (System.nanoTime() - started) / 1_000_000, null);
        } catch (Exception | Error e) {
            log.error("schedule {}: task '{}' failed: {}", run.schedule(), run.task(), e.toString(), e);
            fatalErrors.reportIfFatal(e);
            return result(run, false, (System.nanoTime() - started) / 1_000_000, e.toString());
        } finally {
            busy.set(false);
        }
    }

    private ScheduleResult result(ScheduleRun run, boolean ok, long millis, String error) {
        return new ScheduleResult(run.schedule(), run.task(), ok, false, millis, label.fileName(),
                ProcessHandle.current().pid(), error);
    }

    void close() {
        threads.shutdownNow();
    }
}
