package dev.clutch.core.master;

import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValueFactory;
import dev.clutch.core.alarm.Alarms;
import dev.clutch.core.api.ClutchApplication;
import dev.clutch.core.api.ExitCode;
import dev.clutch.core.api.Role;
import dev.clutch.core.cli.CommandLine;
import dev.clutch.core.config.ClutchConfig;
import dev.clutch.core.config.ClutchSettings;
import dev.clutch.core.config.ConfigLoader;
import dev.clutch.core.config.ReloadedSettings;
import dev.clutch.core.ipc.PayloadRegistryCheck;
import dev.clutch.core.plugin.PluginSet;
import dev.clutch.core.control.ControlServer;
import dev.clutch.core.ipc.IpcServer;
import dev.clutch.core.ipc.IpcTransport;
import dev.clutch.core.ipc.TokenBook;
import dev.clutch.core.lifecycle.ForeignSignals;
import dev.clutch.core.lifecycle.Signals;
import dev.clutch.core.message.MessageRegistry;
import dev.clutch.core.message.PayloadCodec;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Assembles and runs a master: run directory, HTTP listener, IPC server, signal handlers, then the {@link Master}
 * loop; tears it all down afterwards.
 */
public final class MasterBoot {

    private static final Logger log = LoggerFactory.getLogger(MasterBoot.class);
    /** The operator's signals, each with the command that does the same through the control socket. */
    private static final Map<String, String> SIGNALS = new LinkedHashMap<>(Map.of("TERM", "stop", "INT", "stop",
            "HUP", "reload", "TTIN", "scale", "TTOU", "scale"));

    private MasterBoot() {
    }

    /**
     * @param runDirectory prepared and locked by this master; released when it stops
     */
    public static ExitCode run(Class<?> applicationClass, ClutchConfig config, PluginSet plugins,
                               CommandLine commandLine, RunDirectory runDirectory, long startedAtNanos)
            throws InterruptedException {
        IpcTransport transport;
        try {
            transport = IpcTransport.detect();
        } catch (UnsupportedOperationException e) {
            log.error("cannot start: {}", e.getMessage());
            runDirectory.unlock();
            return ExitCode.START_FAILED;
        }
        EventLoopGroup group = transport.newGroup(1, "clutch-master-io");
        Thread reaper = new Thread(MasterBoot::killChildren, "clutch-kill-children");
        Runtime.getRuntime().addShutdownHook(reaper);
        boolean stoppedCleanly = false;
        try (Resources resources = new Resources()) {
            resources.onClose(runDirectory::unlock);
            resources.onClose(runDirectory::clean);
            PortSharing sharing = PortSharing.open(config, transport, group);
            resources.onClose(sharing::close);
            TokenBook tokens = new TokenBook();
            // Children serve the port the master bound, also when the configured one was 0; and they keep the
            // master's settings when a new jar's files change them (but for the webhook's URL, the master's alone).
            String overrides = commandLine.overridesConfig().withoutPath(ClutchSettings.ALARM_WEBHOOK_URL.key())
                    .withValue("clutch.http.port", ConfigValueFactory.fromAnyRef(sharing.port()))
                    .withFallback(ReloadedSettings.masterLayer(config))
                    .root().render(ConfigRenderOptions.concise());
            ChildFactory children = new ChildFactory(new JvmProcessLauncher(), tokens, runDirectory.ipcSocket(),
                    applicationClass, config.name(), config.env(), overrides, config.schedulingPolicy(), config.logDir(),
                    Map.of(Role.AGENT, config.agentJvmArgs(), Role.WORKER, config.workerJvmArgs()),
                    ClassDataSharing.of(config.cdsEnabled(), config.name(), config.cdsDir(),
                            ChildClasspath.of(applicationClass)));
            Alarms alarms = Alarms.create(config.name(), config.alarmWebhookUrl(), config.alarmWebhookTimeout(),
                    config.alarmWebhookAttempts(), applicationClass.getClassLoader());
            PayloadCodec payloads = payloadCodec(applicationClass, plugins, config);
            PayloadRegistryCheck payloadCheck = new PayloadRegistryCheck(payloads.describe());
            Master master = new Master(config, children, sharing, alarms, payloadCheck, payloads, group.next(),
                    System::nanoTime, startedAtNanos,
                    new ReloadSettings(config, commandLine.overridesConfig(), children.classpath(), children));
            IpcServer ipc = new IpcServer(transport, group, runDirectory.ipcSocket(), MessageRegistry.framework(),
                    config.maxFrameBytes(), config.maxPendingBytes(), config.helloTimeout(), tokens, payloadCheck,
                    master.ipcListener());
            ipc.start();
            resources.onClose(ipc::close);
            ControlServer control = ControlServer.start(transport, group, runDirectory.controlSocket(),
                    config.maxFrameBytes(), config.helloTimeout(), master::control);
            resources.onClose(control::close);
            // Every signal of the operator surface gets a handler, so none takes the JVM's default action (HUP
            // would run the shutdown hooks, TTIN and TTOU would suspend the master).
            SIGNALS.forEach((name, command) -> {
                // Not for INT: a shell ignores it in every job it starts in the background, as a matter of course.
                if (!Signals.handle(name, () -> master.signal(name)) && !name.equals("INT")) {
                    log.warn("SIG{} cannot be handled by this master (it was ignored when the master started, under "
                            + "nohup say, and the JVM keeps it ignored): kill -{} does nothing here; use the operator "
                            + "command {}, which goes through the control socket", name, name, command);
                }
            });
            for (String name : ForeignSignals.names()) {
                Signals.handle(name, () -> master.signal(name));
            }
            ParentWatch.install(System.getenv(), master);
            if (config.devWatch()) {
                ClassesWatcher watcher = ClassesWatcher.start(ChildClasspath.of(applicationClass), applicationClass,
                        config.devPollInterval(), () -> {
                            try {
                                logRebuiltStart(applicationClass, config, plugins, commandLine);
                            } finally {
                                // Whatever the log lines met, the rebuild is not lost.
                                master.classesChanged();
                            }
                        });
                if (watcher != null) {
                    master.watchRebuilds(watcher::rebuilding);
                    resources.onClose(watcher::close);
                }
            }
            ExitCode code = master.run();
            // The port first: the control socket may wait a moment for answers in flight, and no connection
            // accepted meanwhile would be served. Closed again, harmlessly, with the other resources.
            sharing.close();
            stoppedCleanly = true;
            return code;
        } catch (IOException e) {
            log.error("cannot start: {}", e.getMessage());
            return ExitCode.START_FAILED;
        } finally {
            group.shutdownGracefully(0, 200, TimeUnit.MILLISECONDS);
            // After a clean stop no child is left to kill; after anything else the hook stays as the safety net.
            if (stoppedCleanly) {
                try {
                    Runtime.getRuntime().removeShutdownHook(reaper);
                } catch (IllegalStateException alreadyShuttingDown) {
                    // The hook is running or has run.
                }
            }
        }
    }

    /**
     * Dev mode: the warnings a start gives about the rebuilt configuration (settings nothing reads). What happens to
     * the {@code clutch.*} settings that changed, the master says as it starts again ({@link ReloadSettings}).
     */
    private static void logRebuiltStart(Class<?> applicationClass, ClutchConfig config, PluginSet plugins,
                                        CommandLine commandLine) {
        try {
            ClutchConfig rebuilt = ClutchConfig.of(ConfigLoader.load(applicationClass.getClassLoader(), config.env(),
                    commandLine.overridesConfig(), System.getenv()), config.name());
            plugins.warnAbout(rebuilt, applicationClass.getClassLoader(), log);
        } catch (RuntimeException e) {
            // The children's start reports a configuration that does not load, with file and line.
            log.debug("dev mode: the rebuilt configuration does not load: {}", e.toString());
        }
    }

    /** The application's payload types, which every child must register alike. */
    private static PayloadCodec payloadCodec(Class<?> applicationClass, PluginSet plugins, ClutchConfig config)
            throws IOException {
        try {
            ClutchApplication application = (ClutchApplication) applicationClass.getDeclaredConstructor()
                    .newInstance();
            return PayloadCodec.of(plugins.payloadTypes(application), config.maxFrameBytes());
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IOException("cannot read the payload types of " + applicationClass.getName() + ": " + e, e);
        }
    }

    /** Last line of defence if the master's JVM exits abnormally: no child outlives it. */
    private static void killChildren() {
        ProcessHandle.current().children().forEach(ProcessHandle::destroyForcibly);
    }

    /** Closes what was opened, in reverse order. */
    private static final class Resources implements AutoCloseable {
        private final Deque<Runnable> closers = new ArrayDeque<>();

        void onClose(Runnable closer) {
            closers.push(closer);
        }

        @Override
        public void close() {
            while (!closers.isEmpty()) {
                try {
                    closers.pop().run();
                } catch (RuntimeException e) {
                    log.warn("cleanup step failed: {}", e.toString());
                }
            }
        }
    }
}
