package dev.clutch.core.message;

/**
 * The agent asks a worker to run one of its scheduled tasks.
 *
 * @param reportToAgent true when the run went to every worker: each sends its {@link ScheduleResult} to the agent
 *     (a run on one worker answers the agent's request instead)
 */
public record ScheduleRun(String schedule, String task, boolean reportToAgent) {

    /** The messenger action of schedule runs and of their results. */
    public static final String ACTION = "clutch.schedule.run";
    public static final String RESULT_ACTION = "clutch.schedule.result";
}
