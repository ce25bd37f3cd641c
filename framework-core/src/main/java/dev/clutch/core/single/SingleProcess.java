package dev.clutch.core.single;

import dev.clutch.core.api.ClutchApplication;
import dev.clutch.core.child.ProcessContext;
import dev.clutch.core.api.Messenger;
import dev.clutch.core.api.Role;
import dev.clutch.core.config.ClutchConfig;
import dev.clutch.core.config.ClutchSettings;
import dev.clutch.core.config.Setting;
import dev.clutch.core.ipc.IpcTransport;
import dev.clutch.core.lifecycle.ForeignSignals;
import dev.clutch.core.lifecycle.Signals;
import dev.clutch.core.logging.FailureCause;
import dev.clutch.core.logging.ProcessLabel;
import dev.clutch.core.master.ReadyLine;
import dev.clutch.core.api.ExitCode;
import dev.clutch.core.message.ClusterReady;
import dev.clutch.core.message.Envelope;
import dev.clutch.core.message.PayloadCodec;
import dev.clutch.core.message.StateSnapshot;
import dev.clutch.core.message.StopRequest;
import dev.clutch.core.plugin.PluginSet;
import dev.clutch.core.spi.RoleRuntime;
import io.netty.channel.unix.FileDescriptor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Single-process mode ({@code clutch.mode = single}): the agent and one worker run in this JVM, with the same
 * runtimes, hooks and APIs as in a cluster, their messages passing an in-memory hub instead of the master. For
 * breakpoints in an IDE and for fast tests; nothing supervises the worker, and the process serves alone on its port.
 * Owns the life cycle of this mode: STARTING, RUNNING, STOPPING, STOPPED.
 */
public final class SingleProcess implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SingleProcess.class);

    private static final List<String> STOP_SIGNALS = List.of("TERM", "INT", "HUP");
    private static final List<String> SCALE_SIGNALS = List.of("TTIN", "TTOU");

    /** Where this mode's life cycle is. */
    public enum State { STARTING, RUNNING, STOPPING, STOPPED }

    private final ClutchApplication application;
    private final PluginSet plugins;
    private final ClutchConfig config;
    private final PayloadCodec codec;
    private final LocalHub hub;
    private final IpcTransport transport = IpcTransport.detect();
    /** Filled on the start's thread, read by close() on the caller's. */
    private final Map<Role, RoleRuntime> running = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    private volatile InetSocketAddress address;
    private volatile State state = State.STARTING;

    private SingleProcess(ClutchApplication application, PluginSet plugins, ClutchConfig config) {
        this.application = application;
        this.plugins = plugins;
        this.config = config;
        this.codec = PayloadCodec.of(plugins.payloadTypes(application), config.maxFrameBytes());
        this.hub = new LocalHub(codec);
    }

    /**
     * Starts the agent, then the worker, and returns once both are ready and their cluster-ready hooks ran.
     *
     * @throws Exception what failed to start (a hook, a port in use); everything started is stopped again
     */
    public static SingleProcess start(Class<? extends ClutchApplication> applicationClass, ClutchConfig config,
                                      PluginSet plugins, long startedAtNanos) throws Exception {
        plugins.logStart(config, applicationClass.getClassLoader(), log);
        ClutchApplication application = applicationClass.getDeclaredConstructor().newInstance();
        SingleProcess process = new SingleProcess(application, plugins, config);
        try {
            BoundedStep.run("clutch-single-start", config.agentStartTimeout().plus(config.workerStartTimeout()),
                    "the start", ClutchSettings.AGENT_START_TIMEOUT.key() + " + "
                            + ClutchSettings.WORKER_START_TIMEOUT.key(), () -> {
                        process.startRole(Role.AGENT, process.hub.agent());
                        process.startRole(Role.WORKER, process.hub.worker());
                        process.announceReady(startedAtNanos);
                        return null;
                    });
            return process;
        } catch (Exception | Error e) {
            if (e instanceof BoundedStep.StepTimeoutException) {
                // As a cluster's child told to stop during its start: end the waits only the cluster could end.
                process.abandonStarts();
            }
            // Any Error too (an assert in a hook): what started must not go on running in a test's JVM.
            process.close();
            throw e;
        }
    }

    /**
     * Runs in the foreground until TERM, INT (Ctrl-C) or HUP (its terminal closed; there are no workers to reload),
     * as {@code start --single} does. A second signal while stopping ends the JVM at once.
     *
     * @return {@link ExitCode#OK} after a stop, {@link ExitCode#START_FAILED} when the start failed
     */
    public static ExitCode runUntilStopped(Class<? extends ClutchApplication> applicationClass, ClutchConfig config,
                                           PluginSet plugins, long startedAtNanos) {
        CountDownLatch stop = new CountDownLatch(1);
        for (String name : STOP_SIGNALS) {
            Signals.handle(name, () -> {
                if (stop.getCount() == 0) {
                    log.warn("received SIG{} again while stopping: exiting now", name);
                    Runtime.getRuntime().halt(ExitCode.FAILURE.code());
                }
                stop.countDown();
            });
        }
        // Without a handler TTIN and TTOU would suspend the process and USR1 end it: a script written for a
        // cluster must not stop a single-process run by accident.
        for (String name : SCALE_SIGNALS) {
            Signals.handle(name, () -> log.warn("SIG{} ignored: a single-process run has one worker, it does not scale",
                    name));
        }
        for (String name : ForeignSignals.names()) {
            Signals.handle(name, () -> log.info("SIG{} ignored: not a Clutch signal", name));
        }
        log.info("single-process mode: the agent and one worker in this JVM (pid {})", ProcessHandle.current().pid());
        try (SingleProcess process = start(applicationClass, config, plugins, startedAtNanos)) {
            stop.await();
            log.info("stopping, as asked by a signal");
            return ExitCode.OK;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCode.FAILURE;
        } catch (Exception | LinkageError | AssertionError e) {
            log.error("start failed: {}", FailureCause.describe(e), e);
            return ExitCode.START_FAILED;
        }
    }

    private void startRole(Role role, LocalHub.Endpoint endpoint) throws Exception {
        if (state != State.STARTING) {
            // The start outlasted its limit and was given up: do not start what close() no longer stops.
            throw new IllegalStateException("the start was given up, not starting the " + role.label());
        }
        RoleRuntime runtime = RoleRuntime.find(role);
        ProcessLabel label = new ProcessLabel(role, role == Role.WORKER ? 1 : 0);
        hub.starting(endpoint, runtime);
        running.put(role, runtime);
        runtime.start(new Context(label, endpoint));
        hub.ready(endpoint);
        runtime.ready();
        log.info("{} is ready", label.fileName());
    }

    private void abandonStarts() {
        synchronized (running) {
            running.values().forEach(RoleRuntime::abandonStart);
        }
    }

    private void announceReady(long startedAtNanos) throws Exception {
        long pid = ProcessHandle.current().pid();
        ClusterReady ready = new ClusterReady(pid, new long[] {pid}, url());
        List<RoleRuntime> started;
        synchronized (running) {
            started = List.copyOf(running.values());
        }
        for (RoleRuntime runtime : started) {
            runtime.clusterReady(ready);
        }
        synchronized (this) {
            if (state != State.STARTING) {
                throw new IllegalStateException("the start was given up before it finished");
            }
            state = State.RUNNING;
        }
        long millis = (System.nanoTime() - startedAtNanos) / 1_000_000;
        String line = ReadyLine.format(millis, pid, new long[] {pid}, url()) + " (single process)";
        System.out.print(line + System.lineSeparator());
        System.out.flush();
    }

    /** {@code http://host:port}, with the port picked when the configured one was 0. */
    public String url() {
        return ReadyLine.url(config.httpHost(), port());
    }

    public int port() {
        return address == null ? config.httpPort() : address.getPort();
    }

    public State state() {
        return state;
    }

    /** A messenger that is none of the processes: it reaches the agent and the worker as they reach each other. */
    public Messenger messenger() {
        return hub.testMessenger();
    }

    /** The shared state as the master keeps it, decoded. */
    public Map<String, Object> sharedState() {
        StateSnapshot snapshot = hub.stateSnapshot();
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 0; i < snapshot.keys().length; i++) {
            values.put(snapshot.keys()[i], codec.read(snapshot.values()[i]));
        }
        return values;
    }

    /** The version of the shared state, as the master keeps it. */
    public long sharedStateVersion() {
        return hub.stateSnapshot().version();
    }

    /** Stops the worker (draining its requests), then the agent, as a cluster stops. */
    @Override
    public synchronized void close() {
        if (state == State.STOPPED) {
            return;
        }
        state = State.STOPPING;
        try {
            stopRole(Role.WORKER, hub.worker(), config.workerKillTimeout(), ClutchSettings.WORKER_KILL_TIMEOUT);
            stopRole(Role.AGENT, hub.agent(), config.agentKillTimeout(), ClutchSettings.AGENT_KILL_TIMEOUT);
        } finally {
            hub.close();
            state = State.STOPPED;
            log.info("stopped");
        }
    }

    private void stopRole(Role role, LocalHub.Endpoint endpoint, Duration timeout, Setting<Duration> setting) {
        RoleRuntime runtime = running.remove(role);
        if (runtime == null) {
            return;
        }
        try {
            hub.leaving(endpoint);
            // As a cluster's master waits for a child: its timeout, then the grace before a kill.
            BoundedStep.run("clutch-single-stop-" + role.label(), timeout.plus(StopRequest.GRACE),
                    "the " + role.label() + "'s stop", setting.key() + " + " + StopRequest.GRACE.toSeconds() + " s",
                    () -> {
                        runtime.stop(timeout);
                        return null;
                    });
        } catch (BoundedStep.StepTimeoutException e) {
            log.error("{}; going on with the stop", e.getMessage(), e.getCause());
        } catch (Exception | LinkageError | AssertionError e) {
            log.error("stopping the {} failed: {}", role.label(), e.toString(), e);
        } finally {
            try {
                hub.gone(endpoint);
            } catch (RuntimeException e) {
                // The next role must still be stopped.
                log.error("the in-memory hub did not take the {}'s exit: {}", role.label(), e.toString(), e);
            }
        }
    }

    private final class Context extends ProcessContext {
        private final LocalHub.Endpoint endpoint;

        Context(ProcessLabel label, LocalHub.Endpoint endpoint) {
            super(new Parts(application, plugins, config, label, transport, codec, endpoint.messenger()));
            this.endpoint = endpoint;
        }

        @Override
        public void sendToMaster(Object body) {
            endpoint.post(Envelope.toMaster(body));
        }

        /** As a connection to a master: the agent merges its state changes instead of having them refused. */
        @Override
        public boolean masterKeepsUp() {
            return endpoint.isWritable();
        }

        @Override
        public void receiveDescriptors(Consumer<FileDescriptor> receiver, Runnable lostOne, Runnable afterBatch) {
            throw new UnsupportedOperationException("no master passes descriptors in single-process mode");
        }

        @Override
        public boolean bindsPortAlone() {
            return true;
        }

        @Override
        public void listening(InetSocketAddress bound) {
            address = bound;
        }
    }
}
