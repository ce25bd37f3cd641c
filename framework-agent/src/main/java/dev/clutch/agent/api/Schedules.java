package dev.clutch.agent.api;

import java.time.Duration;

/**
 * Schedules the agent triggers once the cluster is ready. Inject it in the agent and declare each schedule, for
 * example in a lifecycle hook's {@code didLoad}:
 *
 * <pre>{@code
 * schedules.every("30s").named("flag-stats").runOnAgent(stats::log);
 * schedules.cron("0 * * * * ?").named("stale-flags").runOnOneWorker("evaluate-stale");
 * schedules.every("5m").inEnvs("prod").runOnAllWorkers("refresh-cache");
 * }</pre>
 *
 * A worker runs the task registered under that name with {@code dev.clutch.worker.api.ScheduledTasks}. Every run's
 * result (ok or failed, duration, process) is written to {@code schedule.log}; a run due while no worker is ready
 * is skipped with a log line; a run never overlaps its own previous run.
 */
public interface Schedules {

    /** Runs every {@code interval}, written like {@code "10s"}, {@code "500ms"} or {@code "5m"}. */
    Schedule every(String interval);

    /** Runs every {@code interval}, which must be positive. */
    Schedule every(Duration interval);

    /** Runs on a cron expression with seconds (Quartz syntax), e.g. {@code "0 0/5 * * * ?"}. */
    Schedule cron(String expression);

    /** A schedule being declared; one of the {@code run…} methods ends it. */
    interface Schedule {
        /**
         * The name in {@code schedule.log}, and what guards its runs against overlapping: by default the worker
         * task's name, or {@code agent-task-<n>} (numbered in declaration order) for an agent task, so give agent
         * tasks a name that stays put.
         */
        Schedule named(String name);

        /** Also run once as soon as the cluster is ready. */
        Schedule immediate();

        /**
         * Only in these environments ({@code clutch.env}); without this call, in every one.
         *
         * @throws IllegalArgumentException when none is given, or one is blank or given twice
         */
        Schedule inEnvs(String... envs);

        /** Runs {@code task} in the agent, on a thread of its own. */
        void runOnAgent(Task task);

        /** Runs the worker task {@code task} on one ready worker, chosen at random for each run. */
        void runOnOneWorker(String task);

        /** Runs the worker task {@code task} on every ready worker. */
        void runOnAllWorkers(String task);
    }

    /** What a schedule runs in the agent. */
    @FunctionalInterface
    interface Task {
        /** Runs once; returning is an ok run, throwing a failed one (its exception is in {@code schedule.log}). */
        void run() throws Exception;
    }
}
