package dev.clutch.core.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Context;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.util.FileSize;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A worker's access log file, written through a buffer: one line per request made a {@code write} call per request
 * with logback's default immediate flush. Lines reach the file within {@link LogFileUpkeep#INTERVAL_MILLIS}, when
 * the buffer fills, when the appender stops and when the JVM exits; a process killed outright loses at most that
 * interval's lines (nginx's {@code access_log ... buffer= flush=} makes the same trade).
 */
final class AccessLogAppender extends FileAppender<ILoggingEvent> {

    private static final FileSize BUFFER = new FileSize(64 * 1024);

    static AccessLogAppender create(Context context, Path path) {
        AccessLogAppender appender = new AccessLogAppender();
        appender.setContext(context);
        appender.setName(path.getFileName().toString());
        appender.setFile(path.toString());
        appender.setAppend(true);
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setCharset(StandardCharsets.UTF_8);
        AccessLineLayout layout = new AccessLineLayout();
        layout.setContext(context);
        layout.start();
        encoder.setLayout(layout);
        encoder.start();
        appender.setEncoder(encoder);
        appender.setImmediateFlush(false);
        appender.setBufferSize(BUFFER);
        appender.start();
        LogFileUpkeep.follow(appender);
        return appender;
    }

    /**
     * Writes the line without first preparing the event for appenders that keep it for later (thread name, a look
     * at the MDC): the line is made now, of the message and the time only.
     */
    @Override
    protected void subAppend(ILoggingEvent event) {
        if (!isStarted()) {
            return;
        }
        try {
            writeOut(event);
        } catch (IOException e) {
            addError("could not write to " + getFile(), e);
        }
    }

    /** Writes out what the buffer holds; under the lock logback writes with. */
    void flush() {
        streamWriteLock.lock();
        try {
            OutputStream out = getOutputStream();
            if (out != null && isStarted()) {
                out.flush();
            }
        } catch (IOException e) {
            addError("could not flush " + getFile(), e);
        } finally {
            streamWriteLock.unlock();
        }
    }
}
