package dev.clutch.core.master;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The refork rule alone, on a clock the test moves. */
class ReforkLimiterTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void forksAtOnceUpToTheLimitThenBacksOffDoublingToSixtySeconds() {
        ReforkLimiter limiter = new ReforkLimiter(3, Duration.ofSeconds(60));
        long now = 0;
        assertFalse(limiter.forked(now));
        assertFalse(limiter.forked(now));
        assertTrue(limiter.forked(now), "the third fork in the window reaches the limit");
        assertEquals(Duration.ofSeconds(1), limiter.currentBackoff());
        assertFalse(limiter.mayFork(now + SECOND / 2));
        assertTrue(limiter.mayFork(now + SECOND));

        for (long seconds : new long[] {2, 4, 8, 16, 32, 60}) {
            now += limiter.currentBackoff().toNanos();
            assertTrue(limiter.mayFork(now));
            limiter.forked(now);
            assertEquals(Duration.ofSeconds(seconds), limiter.currentBackoff());
        }
    }

    @Test
    void withALimitOfOneTheBackoffStillEndsOnceForksAreRareAgain() {
        ReforkLimiter limiter = new ReforkLimiter(1, Duration.ofSeconds(10));
        assertTrue(limiter.forked(0), "the first fork reaches a limit of 1");
        assertEquals(Duration.ofSeconds(1), limiter.currentBackoff());
        assertFalse(limiter.forked(SECOND), "the same crossing");
        assertEquals(Duration.ofSeconds(2), limiter.currentBackoff());

        long later = 20 * SECOND;
        assertTrue(limiter.mayFork(later));
        assertTrue(limiter.forked(later), "a new crossing, after a quiet window: alarmed again");
        assertEquals(Duration.ofSeconds(1), limiter.currentBackoff(), "starting from 1 s again");
    }

    @Test
    void backoffEndsOnceForksAreRareAgain() {
        ReforkLimiter limiter = new ReforkLimiter(2, Duration.ofSeconds(10));
        limiter.forked(0);
        assertTrue(limiter.forked(0));
        long later = 11 * SECOND;
        assertTrue(limiter.mayFork(later));
        assertFalse(limiter.forked(later), "the window has forgotten the old forks");
        assertEquals(Duration.ZERO, limiter.currentBackoff());
    }

    @Test
    void replacementsThatDieBeforeTheyAreReadyWaitFromTheThirdInARowUntilOneIsReady() {
        ReforkLimiter limiter = new ReforkLimiter(60, Duration.ofSeconds(60));
        long now = 0;
        for (int i = 1; i <= 2; i++) {
            limiter.forked(now);
            assertFalse(limiter.failedBeforeReady(now));
            assertTrue(limiter.mayFork(now), "failure " + i + " is replaced at once");
        }
        limiter.forked(now);
        assertTrue(limiter.failedBeforeReady(now), "the third in a row starts the wait");
        assertEquals(Duration.ofSeconds(1), limiter.waitFrom(now));
        assertFalse(limiter.mayFork(now + SECOND / 2));

        for (long seconds : new long[] {2, 4, 8, 16, 32, 60, 60}) {
            now += limiter.currentBackoff().toNanos();
            assertTrue(limiter.mayFork(now));
            limiter.forked(now);
            assertFalse(limiter.failedBeforeReady(now), "the alarm once per run of failures");
            assertEquals(Duration.ofSeconds(seconds), limiter.currentBackoff());
        }

        limiter.workerReady();
        assertTrue(limiter.mayFork(now), "a ready worker ends the wait");
        assertEquals(Duration.ZERO, limiter.currentBackoff());
        assertFalse(limiter.failedBeforeReady(now), "and the count starts again");
    }

    @Test
    void newLimitsKeepTheWaitOfReplacementsThatKeepFailingAndTheRecentForks() {
        ReforkLimiter limiter = new ReforkLimiter(60, Duration.ofSeconds(60));
        for (int i = 0; i < 3; i++) {
            limiter.forked(0);
            limiter.failedBeforeReady(0);
        }

        ReforkLimiter reloaded = limiter.withLimits(4, Duration.ofSeconds(60));
        assertFalse(reloaded.mayFork(SECOND / 2), "a reload in a crash loop does not make forks immediate again");
        assertEquals(3, reloaded.failedBoots());
        assertTrue(reloaded.mayFork(SECOND));
        assertTrue(reloaded.forked(SECOND), "the forks before the reload count against its limit of 4");
    }
}
