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

    @Test
    void cronWithSecondsGivesTheWaitToTheNextRun() {
        schedules.cron("0 0/5 * * * ?").named("five").runOnOneWorker("t");
        ZonedDateTime now = ZonedDateTime.of(2026, 11, 21, 12, 3, 30, 0, ZoneOffset.UTC);
        assertEquals(Duration.ofSeconds(90), schedules.specs().get(0).trigger().next(now).orElseThrow());
    }

    @Test
    void intervalIsReadLikeAConfigDuration() {
        schedules.every("1500ms").runOnAllWorkers("refresh");
        AgentSchedules.Spec spec = schedules.specs().get(0);
        assertEquals("refresh", spec.name());
        assertEquals(Duration.ofMillis(1500), spec.trigger().next(ZonedDateTime.now()).orElseThrow());
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
    }
}
