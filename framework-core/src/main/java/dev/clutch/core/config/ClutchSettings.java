package dev.clutch.core.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/** Every {@code clutch.*} key the framework reads, declared once. */
public final class ClutchSettings {

    public static final Setting<String> NAME = Setting.string("clutch.name", "",
            "Application name, shown by ps as `-Dclutch.app=<name>`; empty: derived from the application class.");
    public static final Setting<String> ENV = Setting.string("clutch.env", "",
            "Environment name choosing `application-<env>.conf`; empty: `local` under `mvn exec:java`, `prod` "
                    + "otherwise. Set by `--env`, `-D` or `CLUTCH_ENV`: a file cannot choose the files (it is warned "
                    + "about).")
            .withEnv("CLUTCH_ENV");
    public static final Setting<String> MODE = Setting.oneOf("clutch.mode", "multi", Set.of("multi", "single"),
            "`multi`: a master, an agent and workers, each its own JVM; `single` (or `start --single`): all three in "
                    + "one JVM with one worker and an in-memory messenger, for breakpoints in an IDE.")
            .withEnv("CLUTCH_MODE");
    public static final Setting<String> BASE_DIR = Setting.string("clutch.baseDir", "",
            "Base directory of the instance; empty: the working directory.");
    public static final Setting<String> RUN_DIR = Setting.string("clutch.runDir", "",
            "Owner-only directory of the IPC and control sockets; empty: `<baseDir>/run`.");
    public static final Setting<String> LOG_DIR = Setting.string("clutch.logDir", "",
            "Directory of the log files; empty: `<baseDir>/logs`.");
    public static final Setting<String> LOG_ROTATE = Setting.oneOf("clutch.log.rotate", "daily",
            Set.of("daily", "off"), "`daily`: after midnight the master renames each log file to "
                    + "`<file>.<yyyy-MM-dd>` and every process goes on in a new one; `off`: Clutch moves no file "
                    + "(for logrotate(8): every process reopens a moved or deleted file within a second, no "
                    + "`copytruncate` needed).");
    public static final Setting<Long> LOG_MAX_FILE_SIZE = Setting.bytes("clutch.log.maxFileSize", "0", 0,
            Long.MAX_VALUE, "With daily rotation: a log file past this size is rotated within a second as "
                    + "well, to `<file>.<yyyy-MM-dd>`, then `.1`, `.2`, ...; 0: no size limit.");
    public static final Setting<Integer> LOG_MAX_HISTORY = Setting.integer("clutch.log.maxHistory", 14, 0, 36500,
            "With daily rotation: days of rotated log files kept; older ones are deleted; 0: all are kept.");
    /** The most workers one master runs. */
    public static final int MAX_WORKERS = 1024;
    public static final Setting<Integer> WORKERS = Setting.integer("clutch.workers", 0, 0, MAX_WORKERS,
            "Number of workers; 0: one per available processor (container limits included).")
            .withEnv("CLUTCH_WORKERS");
    public static final Setting<Duration> AGENT_START_TIMEOUT = Setting.duration("clutch.agent.startTimeout", "30s",
            Duration.ofMillis(1), "How long the agent may take to report ready before the start fails.");
    public static final Setting<Duration> WORKER_START_TIMEOUT = Setting.duration("clutch.worker.startTimeout",
            "30s", Duration.ofMillis(1), "How long a worker may take to report ready and run its `didReady` hooks "
                    + "before the start fails (counted from the agent's ready for workers that wait for its state: at "
                    + "a start, and those launched while `reload --agent` starts the new agent).");
    public static final Setting<Duration> AGENT_KILL_TIMEOUT = Setting.duration("clutch.agent.killTimeout", "5s",
            Duration.ZERO, "How long the agent may take to stop before it is killed.");
    public static final Setting<Duration> WORKER_KILL_TIMEOUT = Setting.duration("clutch.worker.killTimeout", "5s",
            Duration.ZERO, "How long a worker may take to finish in-flight work at stop before it is killed.");
    /**
     * The JIT's optimizing tier (C2) for code run ten times as often as the JVM's defaults ask. At a start, master,
     * agent and workers boot at once on a few cores, and C2 compiling code that is busy only during the boot took
     * a large share of the CPU; code that stays hot reaches C2 all the same, a little later (docs/benchmarks.md).
     * The application's launcher gives the master the same options.
     */
    public static final List<String> LATE_C2 = List.of("-XX:Tier4InvocationThreshold=50000",
            "-XX:Tier4MinInvocationThreshold=6000", "-XX:Tier4CompileThreshold=150000",
            "-XX:Tier4BackEdgeThreshold=400000");
    public static final Setting<List<String>> AGENT_JVM_ARGS = Setting.stringList("clutch.agent.jvmArgs",
            withLateC2("-XX:+UseSerialGC", "-Xss512k", "-Xms16m", "-XX:TrimNativeHeapInterval=1000"),
            "JVM options of the agent process: lean by default (a small GC, small thread stacks, a heap that starts "
                    + "small, freed native memory returned, optimizing compilation left for code that stays hot); "
                    + "setting the key replaces them, `${clutch.agent.jvmArgs} [...]` adds to them.")
            .onReload(Setting.OnReload.NEW_AGENT);
    public static final Setting<List<String>> WORKER_JVM_ARGS = Setting.stringList("clutch.worker.jvmArgs",
            withLateC2("-XX:+UseSerialGC", "-Xms16m", "-XX:TrimNativeHeapInterval=1000"),
            "JVM options of every worker process: small-heap defaults (the serial GC, a heap that starts small and "
                    + "grows as needed, uncapped; freed native memory returned; optimizing compilation left for code "
                    + "that stays hot); setting the key replaces them, "
                    + "`${clutch.worker.jvmArgs} [\"-Xmx512m\"]` adds to them; `[\"-XX:+UseG1GC\"]` for "
                    + "heaps of gigabytes.")
            .onReload(Setting.OnReload.NEW_WORKERS);
    /** The largest {@code clutch.ipc.maxFrameBytes} allowed. */
    public static final long IPC_MAX_FRAME_BYTES_CEILING = 1L << 30;
    public static final Setting<Long> IPC_MAX_FRAME_BYTES = Setting.bytes("clutch.ipc.maxFrameBytes", "16MiB",
            1024, IPC_MAX_FRAME_BYTES_CEILING,
            "Largest IPC message accepted or sent; larger frames close the connection.");
    public static final Setting<Long> IPC_MAX_PENDING_BYTES = Setting.bytes("clutch.ipc.maxPendingBytes", "16MiB",
            64 * 1024, 1L << 30, "Unsent bytes one IPC connection may hold. A sender past it gets 'slow down' "
                    + "(MessageFailedException); a receiver past it holds back its senders, for up to 2 s, then its "
                    + "messages are reported undeliverable until it catches up.");
    public static final Setting<Duration> IPC_HELLO_TIMEOUT = Setting.duration("clutch.ipc.helloTimeout", "5s",
            Duration.ofMillis(1), "How long a new IPC connection may take to authenticate, and a control-socket connection to send "
                    + "its command.");
    public static final Setting<String> HTTP_HOST = Setting.string("clutch.http.host", "0.0.0.0",
            "Address the HTTP port listens on.");
    public static final Setting<Integer> HTTP_PORT = Setting.integer("clutch.http.port", 7001, 0, 65535,
            "HTTP port shared by the workers; 0: any free port.").withEnv("CLUTCH_PORT");
    public static final Setting<Integer> HTTP_BACKLOG = Setting.integer("clutch.http.backlog", 1024, 1, 65535,
            "Length of the HTTP listening socket's accept queue.");

    public static final Setting<Long> HTTP_MAX_BODY_BYTES = Setting.bytes("clutch.http.maxBodyBytes", "1MiB", 0,
            1L << 30, "Largest request body a worker accepts; larger ones get 413.")
            .onReload(Setting.OnReload.NEW_WORKERS);
    public static final Setting<Duration> HTTP_REQUEST_TIMEOUT = Setting.duration("clutch.http.requestTimeout",
            "30s", Duration.ofMillis(1), "How long a handler may take before the client gets 503.")
            .onReload(Setting.OnReload.NEW_WORKERS);
    public static final Setting<Duration> HTTP_IDLE_TIMEOUT = Setting.duration("clutch.http.idleTimeout", "60s",
            Duration.ofMillis(1), "How long a keep-alive connection may sit idle before the worker closes it, and "
                    + "how long a request may take to arrive whole once its first bytes came.")
            .onReload(Setting.OnReload.NEW_WORKERS);
    public static final Setting<Duration> HTTP_QUEUE_TIMEOUT = Setting.duration("clutch.http.queueTimeout", "30s",
            Duration.ofMillis(1), "With `rr`: how long a connection the master accepted may wait for a worker to "
                    + "take it (none is ready: starting, all crashed, a dev-mode build that does not start; or every "
                    + "one is at its hand-off window); then it gets 503 and is closed.");
    public static final Setting<Boolean> HTTP_ACCESS_LOG = Setting.bool("clutch.http.accessLog", true,
            "Whether each worker writes `logs/worker-<id>-access.log`.")
            .onReload(Setting.OnReload.NEW_WORKERS);
    public static final Setting<Integer> WORKER_IO_THREADS = Setting.integer("clutch.worker.ioThreads", 1, 1, 256,
            "Event-loop threads of each worker.")
            .onReload(Setting.OnReload.NEW_WORKERS);
    public static final Setting<Integer> WORKER_BLOCKING_THREADS = Setting.integer("clutch.worker.blockingThreads",
            200, 1, 10000, "On JDKs without virtual threads: the pool that runs blocking handlers.")
            .onReload(Setting.OnReload.NEW_WORKERS);
    public static final Setting<Integer> WORKER_MAX_BLOCKING_HANDLERS = Setting.integer(
            "clutch.worker.maxBlockingHandlers", 10000, 1, 1_000_000, "With virtual threads (JDK 21+): blocking "
                    + "handlers running at once in one worker, those past their request timeout included; past it, "
                    + "requests get 503.")
            .onReload(Setting.OnReload.NEW_WORKERS);
    public static final Setting<Integer> REFORK_LIMIT = Setting.integer("clutch.worker.refork.limit", 60, 1, 100000,
            "Workers replaced at once within `clutch.worker.refork.window`; past it, an alarm and a backoff of 1 s "
                    + "doubling to 60 s.")
            .onReload(Setting.OnReload.MASTER);
    public static final Setting<Duration> REFORK_WINDOW = Setting.duration("clutch.worker.refork.window", "60s",
            Duration.ofSeconds(1), "The window of `clutch.worker.refork.limit`.")
            .onReload(Setting.OnReload.MASTER);
    public static final Setting<Duration> HEARTBEAT_INTERVAL = Setting.duration("clutch.worker.heartbeatInterval",
            "5s", Duration.ofMillis(10), "How often a worker tells the master its event loops turn.");
    public static final Setting<Duration> WORKER_TIMEOUT = Setting.duration("clutch.worker.timeout", "30s",
            Duration.ZERO, "A worker without heartbeat this long is hung: thread dump, kill, replace; at least twice "
                    + "`clutch.worker.heartbeatInterval`; 0 disables.");
    public static final Setting<Integer> WORKER_MAX_REQUESTS = Setting.integer("clutch.worker.maxRequests", 0, 0,
            Integer.MAX_VALUE, "A worker that served this many requests is replaced (new one first, then it "
                    + "drains); 0: never.")
            .onReload(Setting.OnReload.MASTER);
    public static final Setting<Integer> WORKER_MAX_REQUESTS_JITTER = Setting.integer(
            "clutch.worker.maxRequestsJitter", 0, 0, Integer.MAX_VALUE,
            "A random 0..N added to `clutch.worker.maxRequests` per worker, so workers are not replaced together.")
            .onReload(Setting.OnReload.MASTER);
    public static final Setting<Long> WORKER_MAX_MEMORY = Setting.bytes("clutch.worker.maxMemory", "0", 0,
            Long.MAX_VALUE, "A worker whose resident memory passes this is replaced the same way; 0: never.")
            .onReload(Setting.OnReload.MASTER);
    public static final Setting<String> ALARM_WEBHOOK_URL = Setting.secretUrl("clutch.alarm.webhook.url",
            "Alarms are also POSTed here as JSON; empty: only logged. Logs show its scheme and host only.")
            .onReload(Setting.OnReload.MASTER);
    public static final Setting<Duration> ALARM_WEBHOOK_TIMEOUT = Setting.duration("clutch.alarm.webhook.timeout",
            "5s", Duration.ofMillis(1), "Timeout of one webhook attempt.")
            .onReload(Setting.OnReload.MASTER);
    public static final Setting<Integer> ALARM_WEBHOOK_ATTEMPTS = Setting.integer("clutch.alarm.webhook.attempts",
            3, 1, 20, "Attempts per alarm before the webhook gives up (logged); retries 0.5 s apart, doubling up to "
                    + "30 s, none after a 4xx other than 408 and 429.")
            .onReload(Setting.OnReload.MASTER);
    public static final Setting<String> STATE_FILE = Setting.string("clutch.state.file", "",
            "A HOCON, JSON or properties file the agent publishes as shared state and follows; relative to "
                    + "`clutch.baseDir`; empty: none.")
            .onReload(Setting.OnReload.NEW_AGENT);
    public static final Setting<String> STATE_FILE_PREFIX = Setting.string("clutch.state.filePrefix", "",
            "Put before each key of `clutch.state.file` in the shared state.")
            .onReload(Setting.OnReload.NEW_AGENT);
    public static final Setting<Duration> STATE_FILE_POLL = Setting.duration("clutch.state.filePollInterval",
            "250ms", Duration.ofMillis(10), "How often the state file is checked; a change is published once the "
                    + "file has been still this long.")
            .onReload(Setting.OnReload.NEW_AGENT);
    public static final Setting<String> SCHEDULING_POLICY = Setting.oneOf("clutch.cluster.schedulingPolicy", "rr",
            Set.of("rr", "none", "reuseport"), "How workers share the HTTP port: `rr` the master accepts and hands "
                    + "each connection to the next ready worker; `none` every worker accepts on the master's socket; "
                    + "`reuseport` every worker binds its own socket with SO_REUSEPORT.")
            .withEnv("CLUTCH_SCHED_POLICY");
    public static final Setting<Integer> HANDOFF_WINDOW = Setting.integer("clutch.cluster.handoffWindow", 256, 1,
            65536, "With `rr`: connections handed to one worker that it has not taken yet, at most.");

    public static final Setting<Boolean> CDS_ENABLED = Setting.bool("clutch.cds.enabled", true,
            "Children start from a class-data-sharing archive of the application's classes, recorded by the first "
                    + "worker that exits cleanly and reused while the JDK and the classpath's jars stay the same; "
                    + "for a classpath of jars only (not under `mvn exec:java`).");
    public static final Setting<String> CDS_DIR = Setting.string("clutch.cds.dir", "",
            "Where the archives are kept; empty: `$XDG_CACHE_HOME/clutch/cds` or `~/.cache/clutch/cds`. Set it "
                    + "through the environment when the application's launcher script should find them.")
            .withEnv("CLUTCH_CDS_DIR");
    public static final Setting<Boolean> DEV_WATCH = Setting.bool("clutch.dev.watch", false,
            "Dev mode: watch the application's class and resource directories and restart the agent and workers "
                    + "after a rebuild, the master keeping the port; on by default in env `local`.");
    public static final Setting<Duration> DEV_POLL_INTERVAL = Setting.duration("clutch.dev.pollInterval", "250ms",
            Duration.ofMillis(10), "Dev mode: how often the directories are checked; a restart waits until they "
                    + "have been still for 1 s, or this long if longer (Maven pauses between the steps of a build).");

    private static final List<Setting<?>> ALL = List.of(NAME, ENV, MODE, BASE_DIR, RUN_DIR, LOG_DIR, LOG_ROTATE,
            LOG_MAX_FILE_SIZE, LOG_MAX_HISTORY, WORKERS,
            AGENT_START_TIMEOUT, WORKER_START_TIMEOUT, AGENT_KILL_TIMEOUT, WORKER_KILL_TIMEOUT, AGENT_JVM_ARGS,
            WORKER_JVM_ARGS, IPC_MAX_FRAME_BYTES, IPC_MAX_PENDING_BYTES, IPC_HELLO_TIMEOUT, HTTP_HOST, HTTP_PORT, HTTP_BACKLOG, HTTP_MAX_BODY_BYTES, HTTP_REQUEST_TIMEOUT, HTTP_IDLE_TIMEOUT, HTTP_QUEUE_TIMEOUT, HTTP_ACCESS_LOG, WORKER_IO_THREADS,
            WORKER_BLOCKING_THREADS, WORKER_MAX_BLOCKING_HANDLERS, REFORK_LIMIT, REFORK_WINDOW, HEARTBEAT_INTERVAL, WORKER_TIMEOUT, WORKER_MAX_REQUESTS, WORKER_MAX_REQUESTS_JITTER, WORKER_MAX_MEMORY,
            ALARM_WEBHOOK_URL,
            ALARM_WEBHOOK_TIMEOUT, ALARM_WEBHOOK_ATTEMPTS, STATE_FILE, STATE_FILE_PREFIX, STATE_FILE_POLL,
            SCHEDULING_POLICY, HANDOFF_WINDOW, CDS_ENABLED, CDS_DIR, DEV_WATCH, DEV_POLL_INTERVAL);

    private ClutchSettings() {
    }

    public static List<Setting<?>> all() {
        return ALL;
    }

    /** The bottom layer of every configuration: each declared key with its default. */
    static Config defaults() {
        Map<String, Object> values = new LinkedHashMap<>();
        ALL.forEach(s -> values.put(s.key(), s.defaultValue()));
        return ConfigFactory.parseMap(values, "Clutch defaults");
    }

    /**
     * The defaults of env {@code local} ({@code mvn exec:java}), above the declared ones and below every file: one
     * worker, and dev mode's watch on.
     */
    static Config localDefaults() {
        return ConfigFactory.parseMap(Map.of(WORKERS.key(), 1, DEV_WATCH.key(), true), "env local defaults");
    }

    /** The layer of environment variables that override declared keys, e.g. {@code CLUTCH_PORT}. */
    static Config fromEnvironment(Map<String, String> environment) {
        Config layer = ConfigFactory.empty("environment variables");
        for (Setting<?> setting : ALL) {
            if (setting.envVar() != null && environment.containsKey(setting.envVar())) {
                // Each value names its own variable, so an error message can say which one to fix.
                layer = layer.withValue(setting.key(), ConfigValueFactory.fromAnyRef(environment.get(setting.envVar()),
                        "environment variable " + setting.envVar()));
            }
        }
        return layer;
    }

    private static List<String> withLateC2(String... options) {
        return Stream.concat(Stream.of(options), LATE_C2.stream()).toList();
    }
}
