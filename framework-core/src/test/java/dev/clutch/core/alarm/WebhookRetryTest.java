package dev.clutch.core.alarm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** When the webhook tries an alarm again, and how long it waits. */
class WebhookRetryTest {

    @Test
    void retriesWaitAtMostThirtySecondsAndAClientErrorIsNotRetried() {
        assertEquals(500, WebhookAlarmSink.retryDelayMillis(1));
        assertEquals(1000, WebhookAlarmSink.retryDelayMillis(2));
        assertEquals(30_000, WebhookAlarmSink.retryDelayMillis(19), "the 20th attempt: not 36 hours later");

        assertTrue(WebhookAlarmSink.worthRetrying(503));
        assertTrue(WebhookAlarmSink.worthRetrying(429));
        assertTrue(WebhookAlarmSink.worthRetrying(408));
        assertFalse(WebhookAlarmSink.worthRetrying(404), "a wrong URL stays wrong");
        assertFalse(WebhookAlarmSink.worthRetrying(400));
    }
}
