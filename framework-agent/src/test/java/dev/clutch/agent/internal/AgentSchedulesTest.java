package dev.clutch.agent.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

/** Declaring schedules: intervals and cron expressions are checked and computed as declared. */
class AgentSchedulesTest {

    private final AgentSchedules schedules = new AgentSchedules();

    private static final ZonedDateTime NOON = ZonedDateTime.of(2026, 11, 21, 12, 0, 0, 0, ZoneOffset.UTC);

    @Test
    void cronWithSecondsGivesTheNextRun() {
        schedules.cron("0 0/5 * * * ?").named("five").runOnOneWorker("t");
        assertEquals(NOON.plusMinutes(5), schedules.specs().get(0).trigger().nextAfter(NOON.plusSeconds(210))
                .orElseThrow());
    }

    @Test
    void cronRunAfterOneJustDueIsTheFollowingOneEvenFromWithinItsSecond() {
        schedules.cron("0 * * * * ?").named("minutely").runOnOneWorker("t");
        AgentSchedules.Trigger trigger = schedules.specs().get(0).trigger();
        assertEquals(NOON.plusMinutes(1), trigger.nextAfter(NOON).orElseThrow());
        assertEquals(NOON.plusMinutes(1), trigger.nextAfter(NOON.plusNanos(400_000)).orElseThrow());
        assertEquals(NOON, trigger.nextAfter(NOON.minusNanos(400_000)).orElseThrow());
    }

    @Test
    void intervalIsReadLikeAConfigDuration() {
        schedules.every("1500ms").runOnAllWorkers("refresh");
        AgentSchedules.Spec spec = schedules.specs().get(0);
        assertEquals("refresh", spec.name());
        assertEquals(NOON.plus(Duration.ofMillis(1500)), spec.trigger().nextAfter(NOON).orElseThrow());
    }

    @Test
    void eachScheduleHasItsOwnNameAndNoneIsDeclaredOnceRunning() {
        schedules.every("1s").runOnAgent(() -> { });
        schedules.every("2s").runOnAgent(() -> { });
        assertEquals(java.util.List.of("agent-task-1", "agent-task-2"),
                schedules.specs().stream().map(AgentSchedules.Spec::name).toList());
        schedules.every("1s").runOnOneWorker("refresh");
        IllegalArgumentException taken = assertThrows(IllegalArgumentException.class,
                () -> schedules.cron("0 * * * * ?").runOnOneWorker("refresh"));
        assertEquals("schedule name 'refresh' is already taken: give each schedule its own with named(...)",
                taken.getMessage());

        schedules.seal();
        IllegalStateException late = assertThrows(IllegalStateException.class,
                () -> schedules.every("1s").named("late").runOnAgent(() -> { }));
        assertTrue(late.getMessage().startsWith("schedule 'late' declared after the cluster was ready"),
                late.getMessage());
    }

    @Test
    void badCronOrIntervalIsRefusedSayingWhatIsAllowed() {
        IllegalArgumentException cron = assertThrows(IllegalArgumentException.class,
                () -> schedules.cron("every monday"));
        assertTrue(cron.getMessage().startsWith("cron expression 'every monday' is not valid (Quartz syntax with "
                + "seconds"), cron.getMessage());
        IllegalArgumentException every = assertThrows(IllegalArgumentException.class, () -> schedules.every("soon"));
        assertEquals("schedule interval 'soon' is not a duration: write it like \"10s\", \"500ms\" or \"5m\"",
                every.getMessage());
        IllegalArgumentException bare = assertThrows(IllegalArgumentException.class, () -> schedules.every("30"));
        assertEquals("schedule interval '30' has no unit, which would make it 30 ms: write the unit, for example "
                + "\"30s\" or \"30ms\"", bare.getMessage());
    }

    @Test
    void envsAreGivenOnceEachAndAtLeastOne() {
        assertEquals("inEnvs() needs at least one environment; leave it out to run the schedule in every one",
                assertThrows(IllegalArgumentException.class, () -> schedules.every("1s").inEnvs()).getMessage());
        assertEquals("inEnvs[prod, prod]: 'prod' is given twice", assertThrows(IllegalArgumentException.class,
                () -> schedules.every("1s").inEnvs("prod", "prod")).getMessage());
        assertEquals("inEnvs[prod,  ]: an environment name is blank", assertThrows(IllegalArgumentException.class,
                () -> schedules.every("1s").inEnvs("prod", " ")).getMessage());
        schedules.every("1s").inEnvs("prod", "staging").runOnAllWorkers("t");
        assertEquals(java.util.Set.of("prod", "staging"), schedules.specs().get(0).envs());
    }
}
