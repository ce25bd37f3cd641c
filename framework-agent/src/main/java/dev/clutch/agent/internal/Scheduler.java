package dev.clutch.agent.internal;

import dev.clutch.core.api.Messenger;
import dev.clutch.core.logging.LogLayout;
import dev.clutch.core.message.ScheduleResult;
import dev.clutch.core.message.ScheduleRun;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Triggers the declared schedules from the agent once the cluster is ready, and writes every run's result to the
 * {@code clutch.schedule} log ({@code schedule.log}).
 */
final class Scheduler implements AutoCloseable {

    private static final Logger results = LoggerFactory.getLogger(LogLayout.SCHEDULE_LOGGER);
    private static final Duration WORKER_RUN_TIMEOUT = Duration.ofMinutes(30);

    private final List<AgentSchedules.Spec> specs;
    private final Messenger messenger;
    private final String env;
    private final Map<String, AtomicBoolean> running = new ConcurrentHashMap<>();
    private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor(daemon("clutch-scheduler"));
    private final ExecutorService agentTasks = Executors.newCachedThreadPool(daemon("clutch-schedule-task"));

    Scheduler(List<AgentSchedules.Spec> specs, Messenger messenger, String env) {
        this.specs = specs;
        this.messenger = messenger;
        this.env = env;
        messenger.on(ScheduleRun.RESULT_ACTION, message -> {
            log((ScheduleResult) message.payload());
            return null;
        });
        messenger.onUndeliverable(undeliverable -> {
            if (undeliverable.action().equals(ScheduleRun.ACTION)) {
                results.info("a schedule run was skipped: {}", undeliverable.reason());
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
            scheduleNext(spec);
        }
    }

    private void scheduleNext(AgentSchedules.Spec spec) {
        spec.trigger().next(ZonedDateTime.now()).ifPresent(wait -> clock.schedule(() -> {
            fire(spec);
            scheduleNext(spec);
        }, Math.max(1, wait.toMillis()), TimeUnit.MILLISECONDS));
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
                case ONE_WORKER -> messenger.<ScheduleResult>request(Messenger.Target.randomWorker(),
                        ScheduleRun.ACTION, new ScheduleRun(spec.name(), spec.workerTask(), false), WORKER_RUN_TIMEOUT)
                        .whenComplete((result, failure) -> {
                            busy.set(false);
                            if (failure == null) {
                                log(result);
                            } else if (String.valueOf(failure.getMessage()).contains("no ready worker")) {
                                results.info("schedule {}: skipped, no ready worker", spec.name());
                            } else {
                                results.warn("schedule {}: failed: {}", spec.name(), failure.getMessage());
                            }
                        });
                case ALL_WORKERS -> {
                    // Each worker guards its own runs against overlap and reports its result.
                    busy.set(false);
                    messenger.sendToWorkers(ScheduleRun.ACTION, new ScheduleRun(spec.name(), spec.workerTask(),
                            true));
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
        } catch (Exception e) {
            error = e.toString();
        } finally {
            busy.set(false);
        }
        log(new ScheduleResult(spec.name(), spec.name(), error == null, (System.nanoTime() - started) / 1_000_000,
                "agent", ProcessHandle.current().pid(), error));
    }

    private static void log(ScheduleResult result) {
        if (result.ok()) {
            results.info("schedule {}: ok in {} ms on {} (pid {})", result.schedule(), result.millis(),
                    result.process(), result.pid());
        } else {
            results.warn("schedule {}: failed in {} ms on {} (pid {}): {}", result.schedule(), result.millis(),
                    result.process(), result.pid(), result.error());
        }
    }

    @Override
    public void close() {
        clock.shutdownNow();
        agentTasks.shutdownNow();
    }
}
