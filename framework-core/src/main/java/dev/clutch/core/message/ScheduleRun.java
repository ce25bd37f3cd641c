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
    private static final String NAMED = ACTION + ":";

    /**
     * The action of one schedule's run on every worker: it names the schedule, so that a run that reaches no
     * worker (reported with its action only) can be told apart from the other schedules' runs.
     */
    public static String allWorkersAction(String schedule) {
        return NAMED + schedule;
    }

    /** Whether {@code action} is a schedule run's, on one worker or on all of them. */
    public static boolean isRun(String action) {
        return action.equals(ACTION) || action.startsWith(NAMED);
    }

    /** The schedule an all-workers run's action names, or {@code null} (a one-worker run's, or another action). */
    public static String scheduleOf(String action) {
        return action.startsWith(NAMED) ? action.substring(NAMED.length()) : null;
    }
}
