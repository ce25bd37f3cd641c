package dev.clutch.agent.internal;

import dev.clutch.core.api.Messenger;
import dev.clutch.core.api.Messenger.MessageFailedException;
import dev.clutch.core.logging.LogLayout;
import dev.clutch.core.message.ScheduleResult;
import dev.clutch.core.message.ScheduleRun;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Triggers the declared schedules from the agent once the cluster is ready, and writes every run's result to the
 * {@code clutch.schedule} log ({@code schedule.log}).
 */
final class Scheduler {

    private static final Logger results = LoggerFactory.getLogger(LogLayout.SCHEDULE_LOGGER);
    private static final Logger log = LoggerFactory.getLogger(Scheduler.class);
    /**
     * A worker's run ends when the worker answers or exits (the master reports that), never by a timeout here: the
     * run would still go on in the worker, and the next one, on another worker, would overlap it.
     */
    private static final Duration WORKER_RUN_LIMIT = Duration.ofDays(365);
    /** A run still going after this gets a line: its schedule's later runs are being skipped. */
    private static final Duration LONG_RUN = Duration.ofMinutes(30);

    private final List<AgentSchedules.Spec> specs;
    private final Messenger messenger;
    private final String env;
    private final Map<String, AtomicBoolean> running = new ConcurrentHashMap<>();
    private final ScheduledThreadPoolExecutor clock = new ScheduledThreadPoolExecutor(1, daemon("clutch-scheduler"));
    private final ExecutorService agentTasks = Executors.newCachedThreadPool(daemon("clutch-schedule-task"));

    Scheduler(List<AgentSchedules.Spec> specs, Messenger messenger, String env) {
        this.specs = specs;
        this.messenger = messenger;
        this.env = env;
        // Each one-worker run cancels its long-run line when it ends: gone from the queue then, not 30 min later.
        clock.setRemoveOnCancelPolicy(true);
        messenger.on(ScheduleRun.RESULT_ACTION, message -> {
            log((ScheduleResult) message.payload());
            return null;
        });
        messenger.onUndeliverable(undeliverable -> {
            String schedule = ScheduleRun.scheduleOf(undeliverable.action());
            if (schedule != null) {
                results.info("schedule {}: skipped, it reached no worker ({})", schedule, undeliverable.reason());
            }
        });
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    void start() {
        for (AgentSchedules.Spec spec : specs) {
            if (!spec.envs().isEmpty() && !spec.envs().contains(env)) {
                results.info("schedule {}: not in env {} (only {})", spec.name(), env, spec.envs());
                continue;
            }
            running.put(spec.name(), new AtomicBoolean());
            if (spec.immediate()) {
                clock.execute(() -> fire(spec));
            }
            scheduleNext(spec, null);
        }
    }

    /**
     * Schedules the run after {@code lastDue}. The clock may wake a little early (its time is not the wall
     * clock's): the next run is computed from the later of now and the run just due, so one is never fired twice.
     */
    private void scheduleNext(AgentSchedules.Spec spec, ZonedDateTime lastDue) {
        ZonedDateTime now = ZonedDateTime.now();
        Optional<ZonedDateTime> next;
        try {
            next = spec.trigger().nextAfter(lastDue != null && lastDue.isAfter(now) ? lastDue : now);
        } catch (RuntimeException e) {
            results.error("schedule {}: stopped, its next run cannot be computed: {}", spec.name(), e.toString());
            return;
        }
        if (next.isEmpty()) {
            if (lastDue == null && !spec.immediate()) {
                // A cron expression of a day that never comes (February 30): surely not what was meant.
                results.warn("schedule {}: never runs, its trigger has no time from now on", spec.name());
            } else {
                results.info("schedule {}: no run after this one, it ends", spec.name());
            }
            return;
        }
        ZonedDateTime due = next.get();
        clock.schedule(() -> {
            try {
                fire(spec);
            } catch (RuntimeException | Error e) {
                results.error("schedule {}: could not start: {}", spec.name(), e.toString());
            } finally {
                scheduleNext(spec, due);
            }
        }, Math.max(0, Duration.between(now, due).toNanos()), TimeUnit.NANOSECONDS);
    }

    /** On the scheduler's thread: start a run unless the previous one still runs. */
    private void fire(AgentSchedules.Spec spec) {
        AtomicBoolean busy = running.get(spec.name());
        if (!busy.compareAndSet(false, true)) {
            results.info("schedule {}: skipped, its previous run is still running", spec.name());
            return;
        }
        try {
            switch (spec.target()) {
                case AGENT -> agentTasks.execute(() -> runOnAgent(spec, busy));
                case ONE_WORKER -> {
                    CompletableFuture<ScheduleResult> run = messenger.request(Messenger.Target.randomWorker(),
                            ScheduleRun.ACTION, new ScheduleRun(spec.name(), spec.workerTask(), false),
                            WORKER_RUN_LIMIT);
                    ScheduledFuture<?> longRun = clock.schedule(() -> results.warn("schedule {}: its run has gone "
                            + "on for over {} min; its later runs are skipped until it ends", spec.name(),
                            LONG_RUN.toMinutes()), LONG_RUN.toNanos(), TimeUnit.NANOSECONDS);
                    run.whenComplete((result, failure) -> {
                        longRun.cancel(false);
                        busy.set(false);
                        if (failure == null) {
                            log(result);
                        } else if (failure instanceof MessageFailedException refused
                                && refused.reason() == MessageFailedException.Reason.UNDELIVERABLE) {
                            results.info("schedule {}: skipped, it reached no worker ({})", spec.name(),
                                    refused.getMessage());
                        } else {
                            results.warn("schedule {}: failed: {}", spec.name(), failure.getMessage());
                        }
                    });
                }
                case ALL_WORKERS -> {
                    // Each worker guards its own runs against overlap and reports its result.
                    busy.set(false);
                    messenger.sendToWorkers(ScheduleRun.allWorkersAction(spec.name()),
                            new ScheduleRun(spec.name(), spec.workerTask(), true));
                }
                default -> throw new IllegalStateException("unknown target " + spec.target());
            }
        } catch (RuntimeException e) {
            busy.set(false);
            results.warn("schedule {}: could not start: {}", spec.name(), e.toString());
        }
    }

    private void runOnAgent(AgentSchedules.Spec spec, AtomicBoolean busy) {
        long started = System.nanoTime();
        String error = null;
        try {
            spec.agentTask().run();
        } catch (Exception | Error e) {
            error = e.toString();
            log.error("schedule {} failed: {}", spec.name(), error, e);
            if (e instanceof VirtualMachineError fatal) {
                logRun(spec, started, error);
                throw fatal;
            }
        } finally {
            busy.set(false);
        }
        logRun(spec, started, error);
    }

    private static void logRun(AgentSchedules.Spec spec, long startedNanos, String error) {
        log(new ScheduleResult(spec.name(), spec.name(), error == null, false,
                (System.nanoTime() - startedNanos) / 1_000_000, "agent", ProcessHandle.current().pid(), error));
    }

    private static void log(ScheduleResult result) {
        if (result.ok()) {
            results.info("schedule {}: ok in {} ms on {} (pid {})", result.schedule(), result.millis(),
                    result.process(), result.pid());
        } else if (result.skipped()) {
            results.info("schedule {}: skipped on {} (pid {}): {}", result.schedule(), result.process(), result.pid(),
                    result.error());
        } else {
            results.warn("schedule {}: failed in {} ms on {} (pid {}): {}", result.schedule(), result.millis(),
                    result.process(), result.pid(), result.error());
        }
    }

    /**
     * Triggers no more runs, and gives the agent's running tasks up to {@code timeout} to end before interrupting
     * them (a worker's run ends in the worker, which the master stops on its own).
     */
    void close(Duration timeout) {
        clock.shutdownNow();
        agentTasks.shutdown();
        try {
            if (!agentTasks.awaitTermination(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                log.warn("schedule tasks still running after the stop's {} ms: interrupted", timeout.toMillis());
                agentTasks.shutdownNow();
            }
        } catch (InterruptedException e) {
            agentTasks.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
