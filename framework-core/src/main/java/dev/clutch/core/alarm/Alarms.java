package dev.clutch.core.alarm;

import dev.clutch.core.api.Alarm;
import dev.clutch.core.spi.AlarmSink;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The master's alarm path: every sink gets every alarm; a failing sink never stops the others or the master. */
public final class Alarms {

    private static final Logger log = LoggerFactory.getLogger(Alarms.class);

    private final String app;
    private final List<AlarmSink> sinks;
    /** {@code clutch.alarm.webhook.*}, which a reload may change; {@code null} without a URL. */
    private volatile Webhook webhook;

    private record Webhook(String url, Duration timeout, int attempts, AlarmSink sink) {
    }

    public Alarms(String app, List<AlarmSink> sinks) {
        this.app = app;
        this.sinks = List.copyOf(sinks);
    }

    /**
     * The log sink, every {@link AlarmSink} on the classpath, and the webhook sink when {@code webhookUrl} is set.
     */
    public static Alarms create(String app, String webhookUrl, Duration webhookTimeout, int webhookAttempts,
                                ClassLoader classLoader) {
        List<AlarmSink> sinks = new ArrayList<>();
        sinks.add(new LogAlarmSink());
        ServiceLoader.load(AlarmSink.class, classLoader).forEach(sinks::add);
        Alarms alarms = new Alarms(app, sinks);
        alarms.useWebhook(webhookUrl, webhookTimeout, webhookAttempts);
        return alarms;
    }

    /**
     * Alarms raised from now on go to this webhook ({@code clutch.alarm.webhook.*}, as a reload reads them); none
     * when {@code url} is blank. Those already on their way finish with the webhook they were sent to.
     */
    public void useWebhook(String url, Duration timeout, int attempts) {
        Webhook current = webhook;
        if (url.isBlank()) {
            webhook = null;
        } else if (current == null || !current.url().equals(url) || !current.timeout().equals(timeout)
                || current.attempts() != attempts) {
            webhook = new Webhook(url, timeout, attempts, new WebhookAlarmSink(URI.create(url), timeout, attempts));
        }
    }

    public void raise(String kind, String message, Map<String, Object> details, List<String> lastStderrLines) {
        Alarm alarm = new Alarm(kind, app, message, details, lastStderrLines, Instant.now());
        Webhook current = webhook;
        for (AlarmSink sink : sinks) {
            deliver(sink, alarm);
        }
        if (current != null) {
            deliver(current.sink(), alarm);
        }
    }

    private static void deliver(AlarmSink sink, Alarm alarm) {
        try {
            sink.raise(alarm);
        } catch (RuntimeException | LinkageError | AssertionError e) {
            // A sink's own failure, a missing optional dependency among them, is no reason to stop the master.
            log.error("alarm sink {} failed: {}", sink.getClass().getName(), e.toString(), e);
        }
    }
}
