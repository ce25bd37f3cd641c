package dev.clutch.core.config;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The framework's settings, read and checked once. Every bad value is reported together, each with its key, where
 * it came from and what is allowed.
 */
public final class ClutchConfig {

    private final Config config;
    private final String name;
    private final String env;
    private final boolean singleProcess;
    private final Path baseDir;
    private final Path runDir;
    private final Path logDir;
    private final int workers;
    private final Duration agentStartTimeout;
    private final Duration workerStartTimeout;
    private final Duration agentKillTimeout;
    private final Duration workerKillTimeout;
    private final List<String> agentJvmArgs;
    private final List<String> workerJvmArgs;
    private final int maxFrameBytes;
    private final Duration helloTimeout;
    private final int maxPendingBytes;
    private final String httpHost;
    private final int httpPort;
    private final int httpBacklog;
    private final int maxBodyBytes;
    private final Duration requestTimeout;
    private final Duration idleTimeout;
    private final Duration queueTimeout;
    private final boolean accessLog;
    private final int workerIoThreads;
    private final int workerBlockingThreads;
    private final int workerMaxBlockingHandlers;
    private final int reforkLimit;
    private final Duration reforkWindow;
    private final Duration heartbeatInterval;
    private final Duration workerTimeout;
    private final int maxRequests;
    private final int maxRequestsJitter;
    private final long maxMemory;
    private final String alarmWebhookUrl;
    private final Duration alarmWebhookTimeout;
    private final int alarmWebhookAttempts;
    private final String stateFile;
    private final String stateFilePrefix;
    private final Duration stateFilePollInterval;
    private final SchedulingPolicy schedulingPolicy;
    private final int handoffWindow;
    private final boolean devWatch;
    private final boolean cdsEnabled;
    private final String cdsDir;
    private final Duration devPollInterval;
    private final boolean logRotateDaily;
    private final long logMaxFileSize;
    private final int logMaxHistoryDays;

    private ClutchConfig(Config config, String defaultName, Consumer<String> lenient) {
        this.config = config;
        Problems problems = new Problems(lenient);
        String configuredName = problems.read(ClutchSettings.NAME, config, "");
        this.name = configuredName.isBlank() ? defaultName : configuredName;
        this.env = problems.read(ClutchSettings.ENV, config, EnvName.PROD);
        this.singleProcess = problems.read(ClutchSettings.MODE, config, "multi").equals("single");
        String base = problems.read(ClutchSettings.BASE_DIR, config, "");
        this.baseDir = (base.isBlank() ? Path.of(System.getProperty("user.dir")) : Path.of(base)).toAbsolutePath();
        this.runDir = dirUnderBase(problems.read(ClutchSettings.RUN_DIR, config, ""), "run");
        this.logDir = dirUnderBase(problems.read(ClutchSettings.LOG_DIR, config, ""), "logs");
        this.logRotateDaily = problems.read(ClutchSettings.LOG_ROTATE, config, "off").equals("daily");
        this.logMaxFileSize = problems.read(ClutchSettings.LOG_MAX_FILE_SIZE, config, 0L);
        this.logMaxHistoryDays = problems.read(ClutchSettings.LOG_MAX_HISTORY, config, 0);
        int configuredWorkers = problems.read(ClutchSettings.WORKERS, config, 1);
        this.workers = configuredWorkers == 0 ? Runtime.getRuntime().availableProcessors() : configuredWorkers;
        this.agentStartTimeout = problems.read(ClutchSettings.AGENT_START_TIMEOUT, config, Duration.ZERO);
        this.workerStartTimeout = problems.read(ClutchSettings.WORKER_START_TIMEOUT, config, Duration.ZERO);
        this.agentKillTimeout = problems.read(ClutchSettings.AGENT_KILL_TIMEOUT, config, Duration.ZERO);
        this.workerKillTimeout = problems.read(ClutchSettings.WORKER_KILL_TIMEOUT, config, Duration.ZERO);
        this.agentJvmArgs = problems.read(ClutchSettings.AGENT_JVM_ARGS, config, List.of());
        this.workerJvmArgs = problems.read(ClutchSettings.WORKER_JVM_ARGS, config, List.of());
        this.maxFrameBytes = problems.read(ClutchSettings.IPC_MAX_FRAME_BYTES, config, 0L).intValue();
        this.maxPendingBytes = problems.read(ClutchSettings.IPC_MAX_PENDING_BYTES, config, 1L << 20).intValue();
        this.helloTimeout = problems.read(ClutchSettings.IPC_HELLO_TIMEOUT, config, Duration.ZERO);
        this.httpHost = problems.read(ClutchSettings.HTTP_HOST, config, "");
        this.httpPort = problems.read(ClutchSettings.HTTP_PORT, config, 0);
        this.httpBacklog = problems.read(ClutchSettings.HTTP_BACKLOG, config, 1);
        this.maxBodyBytes = problems.read(ClutchSettings.HTTP_MAX_BODY_BYTES, config, 0L).intValue();
        this.requestTimeout = problems.read(ClutchSettings.HTTP_REQUEST_TIMEOUT, config, Duration.ZERO);
        this.idleTimeout = problems.read(ClutchSettings.HTTP_IDLE_TIMEOUT, config, Duration.ZERO);
        this.queueTimeout = problems.read(ClutchSettings.HTTP_QUEUE_TIMEOUT, config, Duration.ZERO);
        this.accessLog = problems.read(ClutchSettings.HTTP_ACCESS_LOG, config, true);
        this.workerIoThreads = problems.read(ClutchSettings.WORKER_IO_THREADS, config, 1);
        this.workerBlockingThreads = problems.read(ClutchSettings.WORKER_BLOCKING_THREADS, config, 1);
        this.workerMaxBlockingHandlers = problems.read(ClutchSettings.WORKER_MAX_BLOCKING_HANDLERS, config, 1);
        this.reforkLimit = problems.read(ClutchSettings.REFORK_LIMIT, config, 1);
        this.reforkWindow = problems.read(ClutchSettings.REFORK_WINDOW, config, Duration.ZERO);
        this.heartbeatInterval = problems.read(ClutchSettings.HEARTBEAT_INTERVAL, config, Duration.ZERO);
        this.workerTimeout = problems.read(ClutchSettings.WORKER_TIMEOUT, config, Duration.ZERO);
        if (!workerTimeout.isZero() && workerTimeout.compareTo(heartbeatInterval.multipliedBy(2)) < 0) {
            // A heartbeat late by a busy machine's moment would look like a hang: kills of healthy workers.
            problems.add(ClutchSettings.WORKER_TIMEOUT.describe(config) + ": must be at least twice "
                    + "clutch.worker.heartbeatInterval (" + heartbeatInterval.toMillis() + " ms), or healthy workers "
                    + "are taken for hung between two heartbeats; 0 turns hang detection off");
        }
        this.maxRequests = problems.read(ClutchSettings.WORKER_MAX_REQUESTS, config, 0);
        this.maxRequestsJitter = problems.read(ClutchSettings.WORKER_MAX_REQUESTS_JITTER, config, 0);
        this.maxMemory = problems.read(ClutchSettings.WORKER_MAX_MEMORY, config, 0L);
        this.alarmWebhookUrl = problems.read(ClutchSettings.ALARM_WEBHOOK_URL, config, "");
        this.alarmWebhookTimeout = problems.read(ClutchSettings.ALARM_WEBHOOK_TIMEOUT, config, Duration.ZERO);
        this.alarmWebhookAttempts = problems.read(ClutchSettings.ALARM_WEBHOOK_ATTEMPTS, config, 1);
        this.stateFile = problems.read(ClutchSettings.STATE_FILE, config, "");
        this.stateFilePrefix = problems.read(ClutchSettings.STATE_FILE_PREFIX, config, "");
        this.stateFilePollInterval = problems.read(ClutchSettings.STATE_FILE_POLL, config, Duration.ofSeconds(1));
        this.schedulingPolicy = SchedulingPolicy.fromLabel(problems.read(ClutchSettings.SCHEDULING_POLICY, config,
                "rr"));
        this.handoffWindow = problems.read(ClutchSettings.HANDOFF_WINDOW, config, 1);
        this.devWatch = problems.read(ClutchSettings.DEV_WATCH, config, false);
        this.cdsEnabled = problems.read(ClutchSettings.CDS_ENABLED, config, false);
        this.cdsDir = problems.read(ClutchSettings.CDS_DIR, config, "");
        this.devPollInterval = problems.read(ClutchSettings.DEV_POLL_INTERVAL, config, Duration.ofMillis(250));
        problems.throwIfAny();
    }

    /**
     * Reads and checks the framework's settings.
     *
     * @param defaultName the application name when {@code clutch.name} is empty
     * @throws ConfigurationException listing every bad value
     */
    public static ClutchConfig of(Config config, String defaultName) {
        return new ClutchConfig(config, defaultName, null);
    }

    /**
     * For the operator's commands, which only need to find the running instance: every bad value is given to
     * {@code problem} and replaced by Clutch's default, so a configuration broken since the start cannot lock the
     * operator out of {@code stop} and {@code status}.
     */
    public static ClutchConfig lenient(Config config, String defaultName, Consumer<String> problem) {
        return new ClutchConfig(config, defaultName, problem);
    }

    /** The application's name when {@code clutch.name} is empty: {@code FlagsApp} → {@code flags-app}. */
    public static String defaultName(Class<?> applicationClass) {
        return applicationClass.getSimpleName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    private Path dirUnderBase(String configured, String defaultChild) {
        return configured.isBlank() ? baseDir.resolve(defaultChild) : baseDir.resolve(configured).normalize();
    }

    /** Dev mode: whether the master restarts its children after the application's classes change. */
    public boolean devWatch() {
        return devWatch;
    }

    public Duration devPollInterval() {
        return devPollInterval;
    }

    /** Whether children use a class-data-sharing archive ({@code clutch.cds.enabled}). */
    public boolean cdsEnabled() {
        return cdsEnabled;
    }

    /** Where the archives are kept; empty for the default. */
    public String cdsDir() {
        return cdsDir;
    }

    /** Whether master, agent and one worker run in one JVM ({@code clutch.mode = single}). */
    public boolean singleProcess() {
        return singleProcess;
    }

    /** The whole resolved configuration, application keys included. */
    public Config raw() {
        return config;
    }

    public String name() {
        return name;
    }

    public String env() {
        return env;
    }

    public Path baseDir() {
        return baseDir;
    }

    public Path runDir() {
        return runDir;
    }

    public Path logDir() {
        return logDir;
    }

    /** Whether the master rotates the log files after midnight ({@code clutch.log.rotate = daily}). */
    public boolean logRotateDaily() {
        return logRotateDaily;
    }

    /** Size past which a log file rotates before the day ends; 0 for none. */
    public long logMaxFileSize() {
        return logMaxFileSize;
    }

    /** Days of rotated log files kept; 0 keeps them all. */
    public int logMaxHistoryDays() {
        return logMaxHistoryDays;
    }

    public int workers() {
        return workers;
    }

    public Duration agentStartTimeout() {
        return agentStartTimeout;
    }

    public Duration workerStartTimeout() {
        return workerStartTimeout;
    }

    public Duration agentKillTimeout() {
        return agentKillTimeout;
    }

    public Duration workerKillTimeout() {
        return workerKillTimeout;
    }

    public List<String> agentJvmArgs() {
        return agentJvmArgs;
    }

    public List<String> workerJvmArgs() {
        return workerJvmArgs;
    }

    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    public int maxPendingBytes() {
        return maxPendingBytes;
    }

    public Duration helloTimeout() {
        return helloTimeout;
    }

    public String httpHost() {
        return httpHost;
    }

    public int httpPort() {
        return httpPort;
    }

    public int httpBacklog() {
        return httpBacklog;
    }

    public int maxBodyBytes() {
        return maxBodyBytes;
    }

    public Duration requestTimeout() {
        return requestTimeout;
    }

    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** {@code clutch.http.queueTimeout}: how long the master holds a connection while no worker can take it. */
    public Duration queueTimeout() {
        return queueTimeout;
    }

    public boolean accessLog() {
        return accessLog;
    }

    public int workerIoThreads() {
        return workerIoThreads;
    }

    public int workerBlockingThreads() {
        return workerBlockingThreads;
    }

    public int workerMaxBlockingHandlers() {
        return workerMaxBlockingHandlers;
    }

    public int reforkLimit() {
        return reforkLimit;
    }

    public Duration reforkWindow() {
        return reforkWindow;
    }

    public Duration heartbeatInterval() {
        return heartbeatInterval;
    }

    /** Zero when hung-worker detection is off. */
    public Duration workerTimeout() {
        return workerTimeout;
    }

    /** Zero when workers are not recycled by request count. */
    public int maxRequests() {
        return maxRequests;
    }

    public int maxRequestsJitter() {
        return maxRequestsJitter;
    }

    /** Zero when workers are not recycled by memory. */
    public long maxMemory() {
        return maxMemory;
    }

    public String alarmWebhookUrl() {
        return alarmWebhookUrl;
    }

    public Duration alarmWebhookTimeout() {
        return alarmWebhookTimeout;
    }

    public int alarmWebhookAttempts() {
        return alarmWebhookAttempts;
    }

    /** Empty when no state file is published. */
    public String stateFile() {
        return stateFile;
    }

    public String stateFilePrefix() {
        return stateFilePrefix;
    }

    public Duration stateFilePollInterval() {
        return stateFilePollInterval;
    }

    public SchedulingPolicy schedulingPolicy() {
        return schedulingPolicy;
    }

    public int handoffWindow() {
        return handoffWindow;
    }

    /** Every bad value, thrown together at the end; or, when lenient, each reported and replaced by its default. */
    private static final class Problems {
        private static final Config DEFAULTS = ClutchSettings.defaults();
        private final List<String> found = new ArrayList<>();
        private final Consumer<String> lenient;

        Problems(Consumer<String> lenient) {
            this.lenient = lenient;
        }

        <T> T read(Setting<T> setting, Config config, T placeholder) {
            try {
                return setting.read(config);
            } catch (InvalidSettingException e) {
                add(e.getMessage());
                return lenient != null ? setting.read(DEFAULTS) : placeholder;
            }
        }

        void add(String problem) {
            if (lenient != null) {
                lenient.accept(problem);
            } else {
                found.add(problem);
            }
        }

        void throwIfAny() {
            if (!found.isEmpty()) {
                throw new ConfigurationException(found);
            }
        }
    }
}
