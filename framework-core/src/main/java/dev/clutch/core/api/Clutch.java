package dev.clutch.core.api;

import dev.clutch.core.child.ChildBoot;
import dev.clutch.core.child.ChildEnvironment;
import dev.clutch.core.cli.CommandLine;
import dev.clutch.core.cli.DaemonStart;
import dev.clutch.core.cli.OperatorCommands;
import dev.clutch.core.config.ClutchConfig;
import dev.clutch.core.config.ConfigLoader;
import dev.clutch.core.config.ConfigurationException;
import dev.clutch.core.config.EnvName;
import dev.clutch.core.lifecycle.PidFileLock;
import dev.clutch.core.lifecycle.StartupProperties;
import dev.clutch.core.logging.LogLayout;
import dev.clutch.core.logging.LogRotation;
import dev.clutch.core.logging.ProcessLabel;
import dev.clutch.core.master.ChildClasspath;
import dev.clutch.core.master.ConsoleRelay;
import dev.clutch.core.master.MasterBoot;
import dev.clutch.core.master.RunDirectory;
import dev.clutch.core.plugin.PluginSet;
import dev.clutch.core.single.SingleProcess;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;

/**
 * The entry point of a Clutch application. Call it from the application's {@code main}:
 *
 * <pre>{@code
 * public static void main(String[] args) { Clutch.run(MyApp.class, args); }
 * }</pre>
 *
 * In the process a user starts, it runs the master, which launches the same class again as the agent and as each
 * worker; in those it runs that role. It does not return: the process exits with an {@link ExitCode}.
 */
public final class Clutch {

    /** The log directory's pid file, which keeps a second instance out of it. */
    private static final String LOG_DIRECTORY_LOCK = ".clutch.pid";

    private Clutch() {
    }

    /**
     * Runs {@code applicationClass} in the role this process has: the master when a user started it (with the
     * command line {@code args}: {@code start}, {@code stop}, {@code status}, ...), else the agent or a worker.
     * Never returns: the process exits with an {@link ExitCode}.
     */
    public static void run(Class<? extends ClutchApplication> applicationClass, String... args) {
        long startedAtNanos = System.nanoTime();
        StartupProperties.applyDefaults();
        ExitCode code = ChildEnvironment.isChild()
                ? ChildBoot.run(applicationClass)
                : runMaster(applicationClass, args, startedAtNanos);
        System.exit(code.code());
    }

    private static ExitCode runMaster(Class<? extends ClutchApplication> applicationClass, String[] args,
                                      long startedAtNanos) {
        CommandLine commandLine;
        ClutchConfig config;
        PluginSet plugins;
        try {
            commandLine = CommandLine.parse(Arrays.asList(args));
            if (commandLine.command().equals("help")) {
                System.out.println(CommandLine.USAGE);
                return ExitCode.OK;
            }
            requireMainMethod(applicationClass);
            String env = EnvName.resolve(commandLine.env(), System.getProperty("clutch.env"),
                    System.getenv("CLUTCH_ENV"));
            if (!commandLine.command().equals("start")) {
                // Stop, status and the others must reach the running instance whatever is on disk now.
                List<String> problems = new ArrayList<>();
                ClutchConfig lenient = configForCommands(applicationClass, env, commandLine, problems::add);
                return OperatorCommands.run(commandLine, lenient, !problems.isEmpty());
            }
            config = ClutchConfig.of(ConfigLoader.load(applicationClass.getClassLoader(), env,
                    commandLine.overridesConfig(), System.getenv()), ClutchConfig.defaultName(applicationClass));
            plugins = PluginSet.load(applicationClass.getClassLoader(), config.raw());
        } catch (IllegalArgumentException | ConfigurationException e) {
            System.err.println("clutch: " + e.getMessage());
            if (!(e instanceof ConfigurationException)) {
                System.err.println(CommandLine.USAGE);
            }
            return ExitCode.CONFIG_ERROR;
        }
        // Whoever reads this console must never be able to stop the cluster by not reading.
        ConsoleRelay.install();
        if (config.singleProcess() && commandLine.daemon()) {
            System.err.println("clutch: single-process mode (clutch.mode = single) runs in the foreground: start it"
                    + " without --daemon");
            return ExitCode.CONFIG_ERROR;
        }
        if (commandLine.daemon()) {
            List<String> startArgs = Arrays.stream(args)
                    .filter(a -> !a.equals("--daemon") && !a.equals("start"))
                    .toList();
            return DaemonStart.run(applicationClass, ChildClasspath.of(applicationClass), startArgs, config);
        }
        // Before logging: a start refused because another instance runs here must not touch that one's log files.
        // A single-process run takes the run directory too: it writes the same log files a master would.
        RunDirectory runDirectory;
        try {
            runDirectory = RunDirectory.prepare(config.runDir());
            runDirectory.lock();
        } catch (IOException e) {
            System.err.println("clutch: cannot start: " + e.getMessage());
            return ExitCode.START_FAILED;
        }
        PidFileLock logDirectory;
        try {
            logDirectory = installMasterLogging(config);
        } catch (IOException e) {
            System.err.println("clutch: cannot start: " + e.getMessage());
            runDirectory.unlock();
            return ExitCode.START_FAILED;
        }
        try {
            return runInstance(applicationClass, config, plugins, commandLine, runDirectory, startedAtNanos);
        } finally {
            if (logDirectory != null) {
                logDirectory.release();
            }
        }
    }

    /** The cluster's master, or the single-process run, on a run directory and log directory it holds. */
    private static ExitCode runInstance(Class<? extends ClutchApplication> applicationClass, ClutchConfig config,
                                        PluginSet plugins, CommandLine commandLine, RunDirectory runDirectory,
                                        long startedAtNanos) {
        if (config.singleProcess()) {
            if (config.devWatch()) {
                LoggerFactory.getLogger(Clutch.class).warn("clutch.dev.watch is on, but a single-process run does not "
                        + "restart on rebuilt classes: use the IDE's hot swap, or start without --single for dev mode");
            }
            try {
                return SingleProcess.runUntilStopped(applicationClass, config, plugins, startedAtNanos);
            } finally {
                runDirectory.unlock();
            }
        }
        plugins.logStart(config, applicationClass.getClassLoader(), LoggerFactory.getLogger(Clutch.class));
        try {
            return MasterBoot.run(applicationClass, config, plugins, commandLine, runDirectory, startedAtNanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCode.FAILURE;
        }
    }

    /** Each bad value a warning, Clutch's default in its place: a start would refuse them. */
    private static ClutchConfig configForCommands(Class<?> applicationClass, String env, CommandLine commandLine,
                                                  Consumer<String> problems) {
        Consumer<String> warn = problem -> {
            problems.accept(problem);
            System.err.println("clutch: warning: " + problem + " (a start would refuse it; this command goes on "
                    + "without it)");
        };
        return ClutchConfig.lenient(ConfigLoader.loadForCommands(applicationClass.getClassLoader(), env,
                commandLine.overridesConfig(), System.getenv(), warn), ClutchConfig.defaultName(applicationClass),
                warn);
    }

    /**
     * Clutch's log layout in the master and, for the files of the whole cluster, their rotation.
     *
     * @return the hold on the log directory, or null when the application's own logback configuration applies
     * @throws IOException when the log directory cannot be written (logback would otherwise drop every line of every
     *     process without a word), or another instance writes to it
     */
    private static PidFileLock installMasterLogging(ClutchConfig config) throws IOException {
        PidFileLock held = null;
        if (!LogLayout.applies()) {
            prepareForCrashReports(config.logDir());
        } else {
            LogLayout.prepareDirectory(config.logDir());
            // Two instances in one log directory would write, and rotate, the same files.
            held = PidFileLock.take(config.logDir().resolve(LOG_DIRECTORY_LOCK), other -> "another Clutch instance "
                    + "(pid " + other + ") writes its logs to " + config.logDir() + ": give this instance its own "
                    + "clutch.logDir");
            // Before the master opens its own file, so a restart does not go on in yesterday's.
            LogRotation.start(config.logDir(), new LogRotation.Policy(config.logRotateDaily(),
                    config.logMaxFileSize(), config.logMaxHistoryDays()));
        }
        LogLayout.install(new ProcessLabel(Role.MASTER, 0), config.logDir());
        return held;
    }

    /**
     * Under the application's own logging, the log directory still takes the children's crash reports (hs_err) and
     * what they print outside logging (a hung worker's thread dump), and the JVM does not create it. Not a reason to
     * refuse the start: that logging may not use the directory at all (a console only, a read-only file system).
     */
    private static void prepareForCrashReports(Path logDir) {
        try {
            LogLayout.prepareDirectory(logDir);
        } catch (IOException e) {
            LoggerFactory.getLogger(Clutch.class).warn("{} (meanwhile the children's crash reports go to their "
                    + "working directory or /tmp, and what they print outside logging only to the console)",
                    e.getMessage());
        }
    }

    /** Children are launched with the application class as their main class. */
    private static void requireMainMethod(Class<?> applicationClass) {
        try {
            Method main = applicationClass.getMethod("main", String[].class);
            if (Modifier.isStatic(main.getModifiers())) {
                return;
            }
        } catch (NoSuchMethodException e) {
            // Reported below.
        }
        throw new IllegalArgumentException(applicationClass.getName() + " has no public static void main(String[]):"
                + " Clutch starts that class in every process, so it must be the one that calls Clutch.run");
    }
}
