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

    public Alarms(String app, List<AlarmSink> sinks) {
        this.app = app;
        this.sinks = List.copyOf(sinks);
    }

    /**
     * The log sink, the webhook sink when {@code webhookUrl} is set, and every {@link AlarmSink} on the classpath.
     */
    public static Alarms create(String app, String webhookUrl, Duration webhookTimeout, int webhookAttempts,
                                ClassLoader classLoader) {
        List<AlarmSink> sinks = new ArrayList<>();
        sinks.add(new LogAlarmSink());
        if (!webhookUrl.isBlank()) {
            sinks.add(new WebhookAlarmSink(URI.create(webhookUrl), webhookTimeout, webhookAttempts));
        }
        ServiceLoader.load(AlarmSink.class, classLoader).forEach(sinks::add);
        return new Alarms(app, sinks);
    }

    public void raise(String kind, String message, Map<String, Object> details, List<String> lastStderrLines) {
        Alarm alarm = new Alarm(kind, app, message, details, lastStderrLines, Instant.now());
        for (AlarmSink sink : sinks) {
            try {
                sink.raise(alarm);
            } catch (RuntimeException e) {
                log.error("alarm sink {} failed: {}", sink.getClass().getName(), e.toString(), e);
            }
        }
    }
}
