package dev.clutch.core.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.joran.spi.JoranException;
import dev.clutch.core.api.Role;
import java.net.URL;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * Clutch's log layout: every line carries role and pid; each process writes its own file under the log directory
 * ({@code master.log}, {@code agent.log}, {@code worker-<id>.log}); every ERROR of every process also goes to
 * {@code common-error.log}; the console shows everything. Children log to stderr, which the master copies to its
 * console and keeps the last lines of for crash reports.
 */
public final class LogLayout {

    /** Logger whose lines go to the master's file only, for lines the master already printed to stdout. */
    public static final String FILE_ONLY_LOGGER = "clutch.file-only";

    /** Logger of the workers' access lines; they go to {@code worker-<id>-access.log} only. */
    public static final String ACCESS_LOGGER = "clutch.access";

    /** Logger of schedule runs; the agent also writes them to {@code schedule.log}. */
    public static final String SCHEDULE_LOGGER = "clutch.schedule";

    /** Logback configuration an application adds to Clutch's layout. */
    public static final String OVERLAY = "logback-clutch.xml";

    private static final String PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%property{clutch.process}] "
            + "[%thread] %logger{36} - %msg%n%ex";

    private LogLayout() {
    }

    /** Applies the console-only layout, used until the log directory is known. */
    static void applyConsole(LoggerContext context, ProcessLabel label) {
        apply(context, label, null);
    }

    /**
     * Replaces the current logback setup with Clutch's layout, unless the application brought its own logback
     * configuration file, which always wins.
     *
     * @param logDir the log directory, or {@code null} for the console only
     */
    public static void install(ProcessLabel label, Path logDir) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)
                || ClutchLogbackConfigurator.userConfigurationPresent(LogLayout.class.getClassLoader())) {
            return;
        }
        context.reset();
        apply(context, label, logDir);
    }

    private static void apply(LoggerContext context, ProcessLabel label, Path logDir) {
        context.putProperty("clutch.process", label.withPid());
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(console(context, label.role() == Role.MASTER ? "System.out" : "System.err"));
        if (logDir == null || label.role() != Role.WORKER) {
            // Only workers serve HTTP; without files, access lines would flood the console.
            context.getLogger(ACCESS_LOGGER).setLevel(Level.OFF);
        }
        if (logDir != null) {
            Appender<ILoggingEvent> own = file(context, logDir.resolve(label.fileName() + ".log"), false);
            root.addAppender(own);
            root.addAppender(commonErrors(context, logDir.resolve("common-error.log")));
            Logger fileOnly = context.getLogger(FILE_ONLY_LOGGER);
            fileOnly.setAdditive(false);
            fileOnly.addAppender(own);
            if (label.role() == Role.AGENT) {
                context.getLogger(SCHEDULE_LOGGER).addAppender(file(context, logDir.resolve("schedule.log"), false));
            }
            Logger access = context.getLogger(ACCESS_LOGGER);
            access.setAdditive(false);
            if (label.role() == Role.WORKER) {
                access.addAppender(AccessLogAppender.create(context, logDir.resolve(label.fileName() + "-access.log")));
            }
        }
        applyOverlay(context);
    }

    /**
     * The application's {@code logback-clutch.xml}, if it has one: logback configuration applied on top of Clutch's
     * layout (logger levels, extra appenders), which it keeps, unlike a {@code logback.xml}.
     */
    private static void applyOverlay(LoggerContext context) {
        URL overlay = LogLayout.class.getClassLoader().getResource(OVERLAY);
        if (overlay == null) {
            return;
        }
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        try {
            configurator.doConfigure(overlay);
        } catch (JoranException e) {
            System.err.println("clutch: " + overlay + " is not valid logback configuration, Clutch's logging applies "
                    + "without it: " + e.getMessage());
        }
    }

    private static PatternLayoutEncoder encoder(LoggerContext context) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        return encoder;
    }

    private static Appender<ILoggingEvent> console(LoggerContext context, String target) {
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("console");
        console.setTarget(target);
        console.setEncoder(encoder(context));
        console.start();
        return console;
    }

    private static FileAppender<ILoggingEvent> file(LoggerContext context, Path path, boolean shared) {
        FileAppender<ILoggingEvent> file = new FileAppender<>();
        file.setContext(context);
        file.setName(path.getFileName().toString());
        file.setFile(path.toString());
        file.setAppend(true);
        // Several processes append to a shared file: prudent mode locks it around each write.
        file.setPrudent(shared);
        file.setEncoder(encoder(context));
        file.start();
        return file;
    }

    private static Appender<ILoggingEvent> commonErrors(LoggerContext context, Path path) {
        FileAppender<ILoggingEvent> file = file(context, path, true);
        file.stop();
        ThresholdFilter errorsOnly = new ThresholdFilter();
        errorsOnly.setLevel(Level.ERROR.levelStr);
        errorsOnly.setContext(context);
        errorsOnly.start();
        file.addFilter(errorsOnly);
        file.start();
        return file;
    }
}
