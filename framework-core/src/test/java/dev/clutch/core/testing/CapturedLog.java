package dev.clutch.core.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** What one class logs, from the making of this until {@link #close()}. */
public final class CapturedLog implements AutoCloseable {
    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    public CapturedLog(Class<?> type) {
        logger = (Logger) LoggerFactory.getLogger(type);
        appender.start();
        logger.addAppender(appender);
    }

    /** The events so far; safe to read while the class logs on. */
    public List<ILoggingEvent> events() {
        synchronized (appender) {
            return List.copyOf(appender.list);
        }
    }

    /** Whether a message so far contains {@code text}. */
    public boolean contains(String text) {
        return events().stream().anyMatch(e -> e.getFormattedMessage().contains(text));
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
    }
}
