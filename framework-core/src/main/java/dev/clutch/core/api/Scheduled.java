package dev.clutch.core.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A method run on a schedule the agent triggers, the annotation form of the agent's {@code Schedules}:
 *
 * <pre>{@code
 * public final class Housekeeping {
 *     @Scheduled(every = "30s", on = Scheduled.Run.AGENT)
 *     public void logStatistics() { ... }
 *
 *     @Scheduled(cron = "0 0 * * * ?", on = Scheduled.Run.ALL_WORKERS)
 *     public void dropCaches() { ... }
 * }
 * }</pre>
 *
 * List the class in {@link ClutchApplication#scheduled()} (or a plugin's). The agent reads the annotations and
 * triggers each run; the method runs in the process {@link #on()} names, on one instance that process's injector
 * made at start for it (one per method: mark the class {@code @Singleton} for its methods to share one). Methods take no arguments; give exactly one of {@link #every()} and {@link #cron()}; names are
 * unique. Every run's result goes to {@code schedule.log}; a run never overlaps its own previous run.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Scheduled {

    /** A fixed interval: {@code "10s"}, {@code "500ms"}, {@code "5m"}. */
    String every() default "";

    /** A Quartz cron expression with seconds: {@code "0 0/5 * * * ?"}. */
    String cron() default "";

    /** Also run once as soon as the cluster is ready. */
    boolean immediate() default false;

    /** The envs it runs in; empty: every env. */
    String[] envs() default {};

    /** Where it runs. */
    Run on() default Run.ONE_WORKER;

    /** The schedule's name in logs; empty: {@code SimpleClassName.method}. */
    String name() default "";

    /** Where a scheduled method runs. */
    enum Run {
        /** In the agent. */
        AGENT,
        /** In one ready worker, a different one from run to run. */
        ONE_WORKER,
        /** In every ready worker. */
        ALL_WORKERS
    }
}
