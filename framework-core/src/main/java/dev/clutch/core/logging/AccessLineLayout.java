package dev.clutch.core.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * An access line: {@code 2026-11-21 18:32:22.054 [worker-1:4242] <message>}. Written once per request, so the
 * time is formatted once per second (logback's date converter formats it for every line, which was a tenth of a
 * busy worker's CPU) and nothing else of the event is looked at. Thread-safe: handlers' threads log too.
 */
final class AccessLineLayout extends LayoutBase<ILoggingEvent> {

    private static final DateTimeFormatter UP_TO_SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.");

    private record Second(long epochSecond, String text) {
    }

    private final ZoneId zone = ZoneId.systemDefault();
    private volatile Second second = new Second(Long.MIN_VALUE, "");
    private String process = "";

    @Override
    public void start() {
        process = "[" + getContext().getProperty("clutch.process") + "] ";
        super.start();
    }

    @Override
    public String doLayout(ILoggingEvent event) {
        long millis = event.getTimeStamp();
        long epochSecond = Math.floorDiv(millis, 1000);
        Second current = second;
        if (current.epochSecond() != epochSecond) {
            current = new Second(epochSecond, UP_TO_SECONDS.format(Instant.ofEpochSecond(epochSecond).atZone(zone)));
            second = current;
        }
        int milli = (int) Math.floorMod(millis, 1000);
        String message = event.getFormattedMessage();
        return new StringBuilder(current.text().length() + process.length() + message.length() + 5)
                .append(current.text())
                .append((char) ('0' + milli / 100)).append((char) ('0' + milli / 10 % 10))
                .append((char) ('0' + milli % 10))
                .append(' ').append(process).append(message).append(CoreConstants.LINE_SEPARATOR)
                .toString();
    }
}
