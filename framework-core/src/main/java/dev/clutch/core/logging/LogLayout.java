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
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.status.OnErrorConsoleStatusListener;
import ch.qos.logback.core.status.StatusManager;
import dev.clutch.core.api.Role;
import java.io.IOException;
import java.net.URL;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

    /**
     * Set in the environment of a cluster whose console is a file ({@code start --daemon} appends it to
     * {@code logs/master.out}): every process then prints only warnings and errors to the console once its log files
     * are open, so that file does not copy every line of the others.
     */
    public static final String QUIET_CONSOLE_ENV = "CLUTCH_QUIET_CONSOLE";

    private static final String COMMON_ERRORS = "common-error.log";
    private static final String SCHEDULES = "schedule.log";
    /** Every file name the layout writes, in any process: {@link ProcessLabel#fileName()}, then the shared ones. */
    private static final Pattern FILE_NAMES =
            Pattern.compile("(master|agent|worker-\\d+|worker-\\d+-access|schedule|common-error)\\.log");

    /** The files of the processes' own logs, {@link ProcessLabel#fileName()} each. */
    private static final Pattern PROCESS_FILE_NAMES = Pattern.compile("(master|agent|worker-\\d+)\\.log");

    private static final String TIME_FORMAT = "yyyy-MM-dd HH:mm:ss.SSS";
    /**
     * The message with each control character but tab and newline (ESC, CR, ...) as {@code ?}, and each of its lines
     * after the first indented by a tab: a client's text in it (a request's path) can neither start a forged entry
     * of its own nor drive the terminal of whoever reads the log.
     */
    private static final String MESSAGE = "%replace(%replace(%msg){'[\\x00-\\x08\\x0B-\\x1F\\x7F]', '?'})"
            + "{'\\n', '\n\t'}";
    private static final String PATTERN = "%d{" + TIME_FORMAT + "} %-5level [%property{clutch.process}] "
            + "[%thread] %logger{36} - " + MESSAGE + "%n%ex";
    /** The length of the time at the start of each entry. */
    public static final int TIME_CHARS = TIME_FORMAT.length();
    /** The start of a line {@link #PATTERN} writes; group 1 is the level. */
    private static final Pattern LINE_START = Pattern.compile("^\\d{4}-\\d{2}-\\d{2} \\S+ ([A-Z]+) ");

    private LogLayout() {
    }

    /** Whether {@code fileName} is the log of one process, master, agent or a worker (not access, error, schedule). */
    public static boolean isProcessLog(String fileName) {
        return PROCESS_FILE_NAMES.matcher(fileName).matches();
    }

    /**
     * Whether {@code line} starts an entry, rather than continuing one (a stack trace): its first
     * {@link #TIME_CHARS} characters are then the time it was logged, which sorts as text.
     */
    public static boolean startsEntry(String line) {
        return LINE_START.matcher(line).find();
    }

    /** The level of a line this layout wrote ({@code WARN}, {@code INFO}, ...); {@code null} for any other line. */
    public static String levelOf(String line) {
        Matcher start = LINE_START.matcher(line);
        return start.find() ? start.group(1) : null;
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
        if (applies() && LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.reset();
            apply(context, label, logDir);
        }
    }

    /**
     * The JVM option that writes a process's crash report beside its logs: otherwise the JVM writes it into the
     * working directory it was started in, wherever that is, or {@code /tmp}.
     */
    public static String crashReportOption(Path logDir) {
        return "-XX:ErrorFile=" + logDir.resolve("hs_err_pid%p.log");
    }

    /** Where a JVM started with {@link #crashReportOption} writes its crash report. */
    public static Path crashReport(Path logDir, long pid) {
        return logDir.resolve("hs_err_pid" + pid + ".log");
    }

    /**
     * Creates the log directory if needed and checks that this user can write to it.
     *
     * @throws IOException whose message says so, naming the directory, the key and what is wrong with it
     */
    public static void prepareDirectory(Path logDir) throws IOException {
        try {
            boolean created = !Files.isDirectory(logDir);
            Files.createDirectories(logDir);
            if (created) {
                // Access logs hold client addresses and query strings: the owner and its group (a log shipper)
                // read them, not every user of the host. A directory made by the operator keeps what they gave it.
                Files.setPosixFilePermissions(logDir, PosixFilePermissions.fromString("rwxr-x---"));
            }
        } catch (FileAlreadyExistsException e) {
            throw unwritable(logDir, "it exists and is not a directory", e);
        } catch (AccessDeniedException e) {
            throw unwritable(logDir, "permission denied creating " + e.getFile(), e);
        } catch (IOException e) {
            throw unwritable(logDir, e.getClass().getSimpleName() + " creating it: " + e.getMessage(), e);
        }
        if (!Files.isWritable(logDir)) {
            throw unwritable(logDir, "it is not writable by this user", null);
        }
    }

    private static IOException unwritable(Path logDir, String why, IOException cause) {
        return new IOException("cannot write log files to " + logDir + " (clutch.logDir): " + why
                + "; set clutch.logDir to a directory this user can write", cause);
    }

    /** Whether Clutch's layout is in use: logback is the backend and the application brought no configuration file. */
    public static boolean applies() {
        return LoggerFactory.getILoggerFactory() instanceof LoggerContext
                && !ClutchLogbackConfigurator.userConfigurationPresent(LogLayout.class.getClassLoader());
    }

    /** Whether the layout writes a file of this name in some process: the files {@link LogRotation} rotates. */
    static boolean writes(String fileName) {
        return FILE_NAMES.matcher(fileName).matches();
    }

    private static void apply(LoggerContext context, ProcessLabel label, Path logDir) {
        context.putProperty("clutch.process", label.withPid());
        reportLogbackErrors(context);
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(console(context, label.role() == Role.MASTER ? "System.out" : "System.err",
                logDir != null && System.getenv(QUIET_CONSOLE_ENV) != null ? Level.WARN : null));
        if (logDir == null || label.role() != Role.WORKER) {
            // Only workers serve HTTP; without files, access lines would flood the console.
            context.getLogger(ACCESS_LOGGER).setLevel(Level.OFF);
        }
        if (logDir != null) {
            Appender<ILoggingEvent> own = file(context, logDir.resolve(label.fileName() + ".log"));
            root.addAppender(own);
            root.addAppender(file(context, logDir.resolve(COMMON_ERRORS), true, Level.ERROR));
            Logger fileOnly = context.getLogger(FILE_ONLY_LOGGER);
            fileOnly.setAdditive(false);
            fileOnly.addAppender(own);
            if (label.role() == Role.AGENT) {
                context.getLogger(SCHEDULE_LOGGER).addAppender(file(context, logDir.resolve(SCHEDULES)));
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
     * Logback tells its own failures (a log file it cannot open or write: a full disk, a file another user owns)
     * only to its status manager, where no one reads them: they go to stderr, which reaches the console and, from a
     * child, the master.
     */
    static void reportLogbackErrors(LoggerContext context) {
        StatusManager statuses = context.getStatusManager();
        statuses.getCopyOfStatusListenerList().stream().filter(OnErrorConsoleStatusListener.class::isInstance)
                .forEach(statuses::remove);
        OnErrorConsoleStatusListener errors = new OnErrorConsoleStatusListener();
        errors.setContext(context);
        // Only what happens from now on: the errors of a layout replaced are not this one's.
        errors.setRetrospective(0);
        errors.start();
        statuses.add(errors);
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

    static PatternLayoutEncoder encoder(LoggerContext context) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        return encoder;
    }

    /** @param threshold the least level printed, or {@code null} for every level */
    private static Appender<ILoggingEvent> console(LoggerContext context, String target, Level threshold) {
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("console");
        console.setTarget(target);
        console.setEncoder(encoder(context));
        onlyFrom(threshold, console);
        console.start();
        return console;
    }

    /** Makes the appender skip events below {@code threshold}; {@code null} keeps every event. */
    private static void onlyFrom(Level threshold, UnsynchronizedAppenderBase<ILoggingEvent> appender) {
        if (threshold != null) {
            ThresholdFilter filter = new ThresholdFilter();
            filter.setLevel(threshold.levelStr);
            filter.setContext(appender.getContext());
            filter.start();
            appender.addFilter(filter);
        }
    }

    private static FileAppender<ILoggingEvent> file(LoggerContext context, Path path) {
        return file(context, path, false, null);
    }

    /**
     * @param shared whether several processes append to the file: prudent mode then locks it around each write
     * @param threshold the least level written, or {@code null} for every level
     */
    private static FileAppender<ILoggingEvent> file(LoggerContext context, Path path, boolean shared,
                                                    Level threshold) {
        FileAppender<ILoggingEvent> file = new FileAppender<>();
        file.setContext(context);
        file.setName(path.getFileName().toString());
        file.setFile(path.toString());
        file.setAppend(true);
        file.setPrudent(shared);
        file.setEncoder(encoder(context));
        onlyFrom(threshold, file);
        file.start();
        LogFileUpkeep.follow(file);
        return file;
    }
}
