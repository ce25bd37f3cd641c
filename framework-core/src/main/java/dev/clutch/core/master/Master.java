package dev.clutch.core.master;

import dev.clutch.core.api.ExitCode;
import dev.clutch.core.api.Role;
import dev.clutch.core.alarm.Alarms;
import dev.clutch.core.config.ClutchConfig;
import dev.clutch.core.config.ClutchSettings;
import dev.clutch.core.config.ConfigurationException;
import dev.clutch.core.config.SchedulingPolicy;
import dev.clutch.core.control.ControlServer;
import dev.clutch.core.ipc.ChildConnection;
import dev.clutch.core.ipc.FrameRun;
import dev.clutch.core.ipc.IpcServer;
import dev.clutch.core.ipc.PayloadRegistryCheck;
import dev.clutch.core.logging.LogThrottle;
import dev.clutch.core.logging.Plural;
import dev.clutch.core.message.ControlReply;
import dev.clutch.core.message.DescriptorsTaken;
import dev.clutch.core.message.Destination;
import dev.clutch.core.message.Envelope;
import dev.clutch.core.message.FatalError;
import dev.clutch.core.message.Heartbeat;
import dev.clutch.core.message.Hello;
import dev.clutch.core.message.PayloadCodec;
import dev.clutch.core.message.ProcessReady;
import dev.clutch.core.message.ReadyHooksDone;
import dev.clutch.core.message.StateChange;
import dev.clutch.core.message.StateResync;
import io.netty.channel.EventLoop;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's life cycle: one named state, every transition in this class, one thread. Signals, child exits and
 * the IPC messages addressed to the master arrive as {@link MasterEvent}s on one queue; each tick then checks
 * deadlines, so a missed event heals on the next pass. Messages between children and the shared state never come
 * here: the {@link Switchboard} routes them on the IPC thread, told of every child this class launches, readies
 * and loses.
 *
 * <pre>
 * STARTING_AGENT --agent ready--> STARTING_WORKERS --all workers ready--> RUNNING <--done/aborted-- RELOADING
 *      |                               |                                    |  --reload, HUP-------->   |
 *      |                               |                                    | (the agent first, when it is dead
 *      |                               |                                    |  or with reload --agent)  |
 *      +---- child exits / times out --+---- TERM, INT, stop ---------------+--------------------------+
 *                                      v
 *                  STOPPING_WORKERS --workers gone--> STOPPING_AGENT --agent gone--> STOPPED
 * </pre>
 *
 * <p>The workers are launched with the agent, and wait for its state before any of the application's worker code
 * runs: STARTING_AGENT has them booting too.
 *
 * <p>In dev mode ({@code clutch.dev.watch}) a rebuild of the application's classes runs the same stop sequence,
 * which then ends in STARTING_AGENT again instead of STOPPED; a start that fails ends in WAITING_FOR_CHANGE, where
 * the master keeps the port with no children until the next rebuild, or a reload (HUP, {@code reload}).
 */
public final class Master {

    /** The master's states, in the order a cluster goes through them. */
    public enum State {
        STARTING_AGENT,
        STARTING_WORKERS,
        RUNNING,
        RELOADING,
        STOPPING_WORKERS,
        STOPPING_AGENT,
        /** Dev mode: the last start failed; the next rebuild, or a reload, starts the agent again. */
        WAITING_FOR_CHANGE,
        STOPPED
    }

    /** Where the stop sequence leads. */
    private enum AfterStop { EXIT, RESTART, WAIT_FOR_CHANGE }

    private static final Logger log = LoggerFactory.getLogger(Master.class);
    private static final long TICK_MILLIS = 50;
    /** A gap this long between two ticks, which come every {@link #TICK_MILLIS}, means the master did not run. */
    static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * A stop signal this soon after the first signal of this stop is that one again: {@code timeout} sends TERM to
     * the master and then to its whole process group, within microseconds. People press Ctrl-C twice more slowly.
     */
    private static final long REPEATED_SIGNAL_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final ClutchConfig config;
    private final ChildFactory children;
    private final ReloadSettings reloadSettings;
    private final PortSharing sharing;
    private final LongSupplier nanoClock;
    private final long startedAtNanos;
    private final BlockingQueue<MasterEvent> events = new LinkedBlockingQueue<>();
    private final ProcessTable table = new ProcessTable();
    private final Switchboard switchboard;
    private final Alarms alarms;
    /** What the last launch that failed threw, for the reply and the alarm of a reload it stopped. */
    private String lastLaunchFailure;
    private final WorkerSupervisor supervisor;
    private final ControlCommands commands;
    private final PayloadRegistryCheck payloadCheck;
    private final PayloadCodec payloads;
    private final ControlMessages controlMessages = new ControlMessages();
    private final ChildStopper stopper;
    private final AgentDeath agentDeath;
    private final LogThrottle bugLog = new LogThrottle(Duration.ofSeconds(10));
    private State state = State.STARTING_AGENT;
    /** The agent's step of the current reload, {@code null} outside it. */
    private AgentReload agentReload;
    /**
     * The agent a reload started, from when it is ready until the reload ends: its ready came before its didReady
     * hooks, which can still fail it, and the reload must not be reported done with it dead.
     */
    private long reloadsNewAgentPid;
    /** Told how the current reload ended. */
    private Consumer<ControlCommands.Reloaded> reloadDone;
    /** What the current reload did with the settings changed on disk, for its reply. */
    private List<String> reloadSettingLines = List.of();
    /** The build this master started from, for {@code status}. */
    private final String build;
    /** Set once {@link #run} has left its loop: commands queued from then on are answered where they arrive. */
    private volatile boolean finished;
    private AfterStop afterStop = AfterStop.EXIT;
    /** Dev mode: whether a build is writing the classes now ({@link ClassesWatcher#rebuilding()}). */
    private volatile BooleanSupplier rebuilding = () -> false;
    /** When the current start began: the master's own start, or dev mode's last restart. */
    private long startBeganNanos;
    private ExitCode exitCode = ExitCode.OK;
    private long stopSignalNanos;
    private long lastTickNanos;

    public Master(ClutchConfig config, ChildFactory children, PortSharing sharing, Alarms alarms,
                  PayloadRegistryCheck payloadCheck, PayloadCodec payloads, EventLoop ipcLoop,
                  LongSupplier nanoClock, long startedAtNanos, ReloadSettings reloadSettings) {
        this.config = config;
        this.reloadSettings = reloadSettings;
        this.payloadCheck = payloadCheck;
        this.payloads = payloads;
        this.children = children;
        this.sharing = sharing;
        this.nanoClock = nanoClock;
        this.startedAtNanos = startedAtNanos;
        this.startBeganNanos = startedAtNanos;
        this.build = children.build();
        this.stopper = new ChildStopper(sharing, nanoClock);
        this.agentDeath = new AgentDeath(alarms, config.logDir());
        this.switchboard = new Switchboard(ipcLoop, envelope -> events.add(new MasterEvent.Reply(envelope)),
                config.maxPendingBytes());
        this.alarms = alarms;
        this.commands = new ControlCommands(config.name(), operations());
        this.supervisor = new WorkerSupervisor(config, table, alarms, new WorkerSupervisor.Actions() {
            @Override
            public Child launchWorker(int slot) {
                return launch(Role.WORKER, slot, config.workerStartTimeout());
            }

            @Override
            public String lastLaunchFailure() {
                return lastLaunchFailure;
            }

            @Override
            public void stop(Child worker) {
                stopper.askToStop(worker, config.workerKillTimeout());
            }

            @Override
            public void withdraw(Child worker) {
                sharing.workerLeaving(worker.pid());
            }

            @Override
            public void silent(Child worker, boolean silent) {
                sharing.workerSilent(worker.pid(), silent);
            }

            @Override
            public void kill(Child worker) {
                stopper.kill(worker);
            }
        });
    }

    /** The adapter through which the IPC server feeds this master's queue. */
    public IpcServer.Listener ipcListener() {
        return new IpcServer.Listener() {
            @Override
            public void connected(ChildConnection connection) {
                events.add(new MasterEvent.Connected(connection));
            }

            @Override
            public void received(ChildConnection connection, Envelope envelope) {
                // State goes with the messages, on the IPC thread: in the order the agent sent both.
                if (envelope.body() instanceof StateChange change && connection.sender().role() == Role.AGENT) {
                    switchboard.stateChanged(connection.sender().pid(), change);
                } else if (envelope.body() instanceof StateResync) {
                    switchboard.resync(connection.sender().pid());
                } else {
                    events.add(new MasterEvent.Received(connection, envelope));
                }
            }

            @Override
            public void forward(ChildConnection from, Destination to, FrameRun run) {
                switchboard.forward(from, to, run);
            }

            @Override
            public void forwardsRead(ChildConnection from) {
                switchboard.flushAll();
            }

            @Override
            public void writabilityChanged(ChildConnection connection) {
                switchboard.writabilityChanged(connection);
            }

            @Override
            public void disconnected(ChildConnection connection) {
                events.add(new MasterEvent.Disconnected(connection));
            }
        };
    }

    /** Queues a signal received by the master's JVM; handled on the master's thread. */
    public void signal(String name) {
        events.add(new MasterEvent.SignalReceived(name, nanoClock.getAsLong()));
    }

    /** Dev mode: tells a start that failed because a build was rewriting its classes from one that fails itself. */
    public void watchRebuilds(BooleanSupplier rebuilding) {
        this.rebuilding = rebuilding;
    }

    /** Queues a rebuild of the application seen by dev mode's watcher. */
    public void classesChanged() {
        events.add(new MasterEvent.ClassesChanged());
    }

    /** Queues an operator command from the control socket; answered on the master's thread. */
    public void control(ControlServer.Command command) {
        events.add(new MasterEvent.Control(command));
        if (finished) {
            // The loop that answers commands has ended: the operator gets an answer, not a closed socket.
            refuseQueuedCommands();
        }
    }

    /** Any thread: every command still queued is answered "stopped"; the other events no longer matter. */
    private void refuseQueuedCommands() {
        MasterEvent event;
        while ((event = events.poll()) != null) {
            if (event instanceof MasterEvent.Control queued) {
                commands.refuseAfterStop(queued.command());
            }
        }
    }

    /** Every change of state passes here: one line per transition in the master's log, for post-mortems. */
    private void moveTo(State next) {
        log.info("master: {} -> {}", state, next);
        state = next;
    }

    /** Serving requests: after cluster-ready and before the stop. */
    private boolean serving() {
        return state == State.RUNNING || state == State.RELOADING;
    }

    public State state() {
        return state;
    }

    /** Runs the cluster until it has stopped; returns how the master should exit. */
    public ExitCode run() throws InterruptedException {
        // The port is open from here on (the URL names the port picked when the configured one is 0).
        log.info("starting {} (env {}) on {} with {}: launching the agent, and the workers beside it", config.name(),
                config.env(), sharing.url(), Plural.of(config.workers(), "worker"));
        launchAgentAndWorkers();
        try {
            while (state != State.STOPPED) {
                MasterEvent event = events.poll(TICK_MILLIS, TimeUnit.MILLISECONDS);
                // Before the event: a clock it sets now must not be moved on as well.
                makeUpForStall();
                // A bug in one transition must not take the cluster down with it; the next tick heals what it can.
                if (event != null) {
                    try {
                        handle(event);
                    } catch (RuntimeException | LinkageError | AssertionError e) {
                        logBug("handling " + event, e);
                    }
                }
                try {
                    // Against the clock the stall check read: a stop that lands between the two reads would
                    // otherwise count as silence of every child.
                    checkDeadlines(makeUpForStall());
                    advanceStop();
                } catch (RuntimeException | LinkageError | AssertionError e) {
                    logBug("checking deadlines", e);
                }
            }
        } finally {
            // Nothing answers commands after this loop: whatever waits for an answer gets one now.
            controlMessages.failAll(config.name() + " has stopped before the reply came");
            finished = true;
            refuseQueuedCommands();
        }
        return exitCode;
    }

    /** A tick that fails fails again 20 times a second: one line per interval says so, with the count. */
    private void logBug(String doing, Throwable e) {
        bugLog.log(heldBack -> log.error("master: a bug while {} ({}): {}; the cluster goes on, please report it{}",
                doing, state, e.toString(), LogThrottle.andMore(heldBack), e));
    }

    private void handle(MasterEvent event) {
        if (event instanceof MasterEvent.Reply e) {
            controlMessages.received(e.envelope());
        } else if (event instanceof MasterEvent.Connected e) {
            onConnected(e.connection());
        } else if (event instanceof MasterEvent.Received e) {
            onReceived(e.connection(), e.envelope());
        } else if (event instanceof MasterEvent.Disconnected e) {
            log.debug("{} closed", e.connection());
            withdrawIfMessagesClosed(e.connection());
            noteLostDescriptors(e.connection());
        } else if (event instanceof MasterEvent.Exited e) {
            onExited(e.pid(), e.status());
        } else if (event instanceof MasterEvent.SignalReceived e) {
            onSignal(e.name(), e.receivedNanos());
        } else if (event instanceof MasterEvent.Control e) {
            commands.handle(e.command());
        } else if (event instanceof MasterEvent.ClassesChanged) {
            onClassesChanged();
        }
    }

    /** Dev mode: new agent and workers on the new classes; the port stays open meanwhile. */
    private void onClassesChanged() {
        if (state != State.STOPPING_WORKERS && state != State.STOPPING_AGENT && state != State.STOPPED) {
            startBeganNanos = nanoClock.getAsLong();
        }
        switch (state) {
            case WAITING_FOR_CHANGE -> {
                log.info("dev mode: classes changed: starting the agent and workers again");
                startAgain();
            }
            case STARTING_AGENT, STARTING_WORKERS, RUNNING, RELOADING -> {
                log.info("dev mode: classes changed: restarting the agent and workers");
                beginStop(ExitCode.OK, AfterStop.RESTART);
            }
            default -> {
                // Stopping after a failed start: the fix is on disk now, so start again once stopped. A planned
                // restart starts on the classes on disk then anyway; an exit stays an exit.
                if (afterStop == AfterStop.WAIT_FOR_CHANGE) {
                    afterStop = AfterStop.RESTART;
                }
            }
        }
    }

    private void startAgain() {
        moveTo(State.STARTING_AGENT);
        afterStop = AfterStop.EXIT;
        // The new agent publishes its state from version 1, and may register other payload types.
        switchboard.resetState();
        agentDeath.forget();
        // Every process starts again, on the rebuilt classes: there is no old build to keep apart.
        payloadCheck.adoptFromFirstHello();
        supervisor.startedAgain();
        try {
            takeSettingsFromDisk(true);
        } catch (ConfigurationException e) {
            // The children's start reports a configuration that does not load, with file and line.
            log.debug("dev mode: the rebuilt configuration does not load: {}", e.getMessage());
        } catch (RuntimeException e) {
            // Whatever went wrong reading the files, the rebuilt classes still start.
            log.warn("dev mode: cannot read the rebuilt configuration files: {}; the settings stay as they were",
                    e.toString(), e);
        }
        launchAgentAndWorkers();
    }

    /**
     * The agent, then at once the workers: their JVMs and Clutch start beside the agent's, on the cores it leaves
     * idle, and each waits for the agent's state, which the switchboard sends once the agent is ready, before any of
     * the application's worker code runs. So the workers still depend on a ready agent, and the start takes less
     * than the two boots one after the other. A worker's start timeout counts from the agent's ready.
     */
    private void launchAgentAndWorkers() {
        launch(Role.AGENT, 0, config.agentStartTimeout());
        // The target, not clutch.workers: a dev-mode start on rebuilt classes keeps what scale set.
        for (int id = 1; id <= supervisor.target() && state == State.STARTING_AGENT; id++) {
            Child worker = launch(Role.WORKER, id, config.agentStartTimeout().plus(config.workerStartTimeout()));
            if (worker != null) {
                supervisor.booted(worker);
            }
        }
    }

    /**
     * A worker whose message connection closed while it runs (the master refused one of its frames) stops by itself
     * within a second: connections handed to it meanwhile would go with it.
     */
    private void withdrawIfMessagesClosed(ChildConnection connection) {
        table.byPid(connection.sender().pid())
                .filter(child -> child.role() == Role.WORKER && child.messages() == connection)
                .ifPresent(worker -> sharing.workerLeaving(worker.pid()));
    }

    /** With {@code rr}, a worker whose descriptor connection closed gets no more clients: the supervisor replaces it. */
    private void noteLostDescriptors(ChildConnection connection) {
        if (config.schedulingPolicy() == SchedulingPolicy.RR) {
            table.byPid(connection.sender().pid())
                    .filter(child -> child.role() == Role.WORKER && child.descriptors() == connection)
                    .ifPresent(worker -> worker.descriptorsLost(nanoClock.getAsLong()));
        }
    }

    private void onConnected(ChildConnection connection) {
        Child child = table.byPid(connection.sender().pid()).orElse(null);
        if (child == null) {
            // Also a child whose exit was handled first: it connected and died at once.
            log.warn("IPC: {} is no running child of this master; connection closed", connection);
            connection.close();
            return;
        }
        if (connection.sender().role() != child.role() || connection.sender().workerId() != child.workerId()) {
            log.warn("IPC: {} does not match {}: connection closed", connection, child.describe());
            connection.close();
            return;
        }
        if (!child.attach(connection)) {
            log.warn("IPC: {} already has a {} connection: the second one is closed", child.describe(),
                    connection.kind());
            connection.close();
            return;
        }
        if (connection.kind() == Hello.ChannelKind.DESCRIPTORS) {
            sharing.descriptorsConnected(child.pid(), connection);
        } else {
            switchboard.attached(child.pid(), connection);
        }
    }

    private void onReceived(ChildConnection connection, Envelope envelope) {
        Object body = envelope.body();
        if (body instanceof ProcessReady) {
            table.byPid(envelope.sender().pid()).ifPresent(this::onReady);
        } else if (body instanceof ReadyHooksDone) {
            table.byPid(envelope.sender().pid()).ifPresent(this::onWorkerStarted);
        } else if (body instanceof DescriptorsTaken taken) {
            sharing.taken(envelope.sender().pid(), taken.total());
        } else if (body instanceof Heartbeat beat) {
            table.byPid(envelope.sender().pid()).ifPresent(c -> supervisor.heartbeat(c, beat.requests(),
                    nanoClock.getAsLong()));
        } else if (body instanceof FatalError fatal && serving()) {
            table.byPid(envelope.sender().pid()).ifPresent(c -> supervisor.fatalError(c, fatal.error(),
                    nanoClock.getAsLong()));
        } else if (body instanceof FatalError fatal && state == State.STARTING_WORKERS) {
            table.byPid(envelope.sender().pid()).ifPresent(c -> {
                // Ready already and serving: the supervisor replaces it as soon as the cluster runs.
                log.error("{} hit a fatal error ({}) during the start: it is replaced once the cluster is ready",
                        c.describe(), fatal.error());
                c.retire();
            });
        } else if (body instanceof FatalError fatal) {
            log.error("{} hit a fatal error ({}) while the master is {}: not replaced", connection, fatal.error(),
                    state);
        } else {
            log.warn("IPC: {} sent {} to the master, which does not take it", connection,
                    body.getClass().getSimpleName());
        }
    }

    private void onReady(Child child) {
        if (child.phase() != Child.Phase.STARTING) {
            return;
        }
        // A worker's start goes on through its didReady hooks, within the same deadline.
        child.enter(Child.Phase.READY, child.role() == Role.WORKER ? child.deadlineNanos() : 0);
        if (child.role() == Role.AGENT) {
            child.markStarted();
        }
        // Since its own launch: a replacement's boot, not the master's age.
        log.info("{} is ready in {} ms", child.describe(),
                TimeUnit.NANOSECONDS.toMillis(nanoClock.getAsLong() - child.launchedAtNanos()));
        if (child.role() == Role.WORKER) {
            // Its heartbeats are watched from here: it serves.
            child.heartbeat(nanoClock.getAsLong());
            sharing.workerReady(child.pid());
        }
        if (serving() && child.role() == Role.WORKER) {
            child.send(ReadyAnnouncement.message(table, sharing));
        } else if (serving() && agentReload != null && agentReload.isNew(child)) {
            agentReload = null;
            reloadsNewAgentPid = child.pid();
            agentDeath.forget();
            switchboard.newAgentReady();
            workersWaitedForTheAgent();
            child.send(ReadyAnnouncement.message(table, sharing));
            log.info("reload: the new agent is ready; now the workers");
            reloadWorkers(child.pid());
        } else if (state == State.STARTING_AGENT && child.role() == Role.AGENT) {
            moveTo(State.STARTING_WORKERS);
            switchboard.newAgentReady();
            workersWaitedForTheAgent();
        }
    }

    /**
     * The workers starting meanwhile waited for the agent's state (a replacement during a reload's agent step, too):
     * their start time counts from now.
     */
    private void workersWaitedForTheAgent() {
        long now = nanoClock.getAsLong();
        for (Child worker : table.workers()) {
            if (worker.phase() == Child.Phase.STARTING) {
                worker.deadlineAt(now + config.workerStartTimeout().toNanos());
            }
        }
    }

    /**
     * A worker's didReady hooks ran: its start is over, and only now may it replace a worker (one whose hook fails
     * exits, and would have left the slot it replaced empty), count as a boot that worked, or complete the
     * cluster's start.
     */
    private void onWorkerStarted(Child child) {
        // The agent's start ends at its ready: the workers wait for it, not for its hooks.
        if (child.role() != Role.WORKER || child.phase() != Child.Phase.READY || child.hasStarted()) {
            return;
        }
        child.markStarted();
        supervisor.workerStarted(child);
        if (state == State.STARTING_WORKERS
                && table.readyWorkers().stream().filter(Child::hasStarted).count() == supervisor.target()) {
            moveTo(State.RUNNING);
            ReadyAnnouncement.announce(table, sharing, millisSinceStart());
            if (reloadDone != null) {
                // A reload that started the cluster again after a failed dev-mode start.
                finishReload(new ControlCommands.Reloaded(table.agent().map(Child::pid).orElse(0L), null, false));
            }
        }
    }

    private void onExited(long pid, int status) {
        Child child = table.remove(pid).orElse(null);
        children.exited(pid, status, child != null && child.wasReady());
        switchboard.gone(pid);
        if (child == null) {
            return;
        }
        if (child.role() == Role.WORKER) {
            sharing.workerExited(pid);
        }
        String how = ExitStatus.describe(status);
        switch (state) {
            case STARTING_AGENT, STARTING_WORKERS -> failStart(child, ExitStatus.ended(status) + " during start");
            case RUNNING, RELOADING -> {
                if (agentReload != null && agentReload.isOld(child)) {
                    log.info("{} stopped ({}): starting the new agent", child.describe(), how);
                    launchNewAgent();
                } else if (agentReload != null && agentReload.isNew(child)) {
                    String why = agentReload.failure(status);
                    agentReload = null;
                    // Its build's payload types were adopted at its hello: the build that serves on keeps its own.
                    payloadCheck.revertAdoption();
                    switchboard.newAgentFailed();
                    agentDeath.replacementFailed(child, status, why, table);
                    finishReload(ControlCommands.Reloaded.failed("the new " + child.describe() + " " + why
                            + " before it was ready"));
                } else if (child.role() == Role.AGENT) {
                    agentDeath.happened(child, status, table);
                    if (state == State.RELOADING && child.pid() == reloadsNewAgentPid) {
                        Map<String, Object> details = new LinkedHashMap<>(Map.of("role", Role.AGENT.label(),
                                "pid", child.pid(), "exit", ExitStatus.ended(status)));
                        supervisor.abortReload("the new " + child.describe() + " " + ExitStatus.ended(status)
                                + " after it was ready (in a didReady hook, say: its log says why)", details);
                    }
                } else if (child.phase() == Child.Phase.STOPPING) {
                    log.info("{} stopped ({})", child.describe(), how);
                } else {
                    if (child.isStarting()) {
                        // A reload's new worker (the reload stops) or a replacement (tried again within the limit).
                        log.error("{} exited {} ({}){}", child.describe(), child.phase() == Child.Phase.READY
                                ? "in a didReady hook, after it reported ready" : "before it was ready", how,
                                child.stderrTail());
                    } else {
                        log.error("{} exited unexpectedly ({}): {}{}", child.describe(), how,
                                supervisor.replacement(nanoClock.getAsLong()), child.stderrTail());
                    }
                    supervisor.workerFailed(child, ExitStatus.ended(status), nanoClock.getAsLong());
                }
            }
            case STOPPING_WORKERS, STOPPING_AGENT -> log.info("{} stopped ({})", child.describe(), how);
            default -> log.debug("{} exited ({}) after the master stopped", child.describe(), how);
        }
        advanceStop();
    }

    private void onSignal(String name, long receivedNanos) {
        switch (name) {
            case "HUP" -> {
                log.info("received SIGHUP: rolling reload");
                reload(false, outcome -> { });
                return;
            }
            case "TTIN", "TTOU" -> {
                if (!serving()) {
                    log.warn("received SIG{}: ignored while {}; send it again once the cluster serves", name,
                            state.name().toLowerCase(java.util.Locale.ROOT));
                    return;
                }
                // The bounds of scale N: at least one worker, at most as many as clutch.workers allows.
                int workers = Math.min(ClutchSettings.MAX_WORKERS,
                        Math.max(1, supervisor.target() + (name.equals("TTIN") ? 1 : -1)));
                if (workers == supervisor.target()) {
                    log.info("received SIG{}: already {}, the {}", name, Plural.of(workers, "worker"),
                            workers == 1 ? "fewest there can be" : "most clutch.workers allows");
                    return;
                }
                log.info("received SIG{}: scaling to {}", name, Plural.of(workers, "worker"));
                scale(workers);
                return;
            }
            case "USR1", "USR2" -> {
                // Other servers' signals (reopen logs, re-exec): unhandled, either would end the JVM at once.
                log.warn("received SIG{}: not a Clutch signal, ignored (HUP reloads, TERM stops, TTIN/TTOU scale; "
                        + "log files reopen by themselves after a rotation)", name);
                return;
            }
            default -> {
                // TERM and INT: stop.
            }
        }
        if ((state == State.STOPPING_WORKERS || state == State.STOPPING_AGENT) && afterStop == AfterStop.EXIT) {
            if (stopSignalNanos == 0) {
                // The stop began otherwise (the control socket, a failed start): this is the first signal.
                stopSignalNanos = receivedNanos;
                log.info("received SIG{}: already stopping; another one kills every child", name);
                return;
            }
            if (receivedNanos - stopSignalNanos < REPEATED_SIGNAL_NANOS) {
                log.info("received SIG{} again within {} ms: the same stop (it reached the process group too); "
                        + "another one kills every child", name, TimeUnit.NANOSECONDS.toMillis(REPEATED_SIGNAL_NANOS));
                return;
            }
            log.warn("received SIG{} again while stopping: killing every child now", name);
            table.all().forEach(stopper::kill);
            return;
        }
        log.info("received SIG{}: stopping workers, then the agent", name);
        beginStop(ExitCode.OK);
        stopSignalNanos = receivedNanos;
    }

    /** The operations of the control socket, as transitions of this master. */
    private ControlCommands.Operations operations() {
        return new ControlCommands.Operations() {
            @Override
            public StatusReport status() {
                return Master.this.status();
            }

            @Override
            public boolean stop() {
                if (((state == State.STOPPING_WORKERS || state == State.STOPPING_AGENT) && afterStop == AfterStop.EXIT)
                        || state == State.STOPPED) {
                    return false;
                }
                log.info("stop requested on the control socket: stopping workers, then the agent");
                beginStop(ExitCode.OK);
                return true;
            }

            @Override
            public String scale(int workers) {
                if (!serving()) {
                    return "cannot scale while " + state;
                }
                log.info("scale to {} requested on the control socket", Plural.of(workers, "worker"));
                Master.this.scale(workers);
                return null;
            }

            @Override
            public String reload(boolean agent, Consumer<ControlCommands.Reloaded> done) {
                log.info("reload{} requested on the control socket", agent ? " of the agent and the workers" : "");
                return Master.this.reload(agent, done);
            }

            @Override
            public ControlReply sharedState() {
                return StateReport.of(switchboard.stateSnapshot(), Master.this::describePayload);
            }

            @Override
            public void message(String target, String action, boolean request, byte[] payload, Duration timeout,
                                java.util.function.Consumer<ControlReply> reply) {
                controlMessages.send(switchboard::sendAsMaster, target, action, request, payload, timeout,
                        nanoClock.getAsLong(), reply);
            }
        };
    }

    private void scale(int workers) {
        if (serving()) {
            supervisor.scale(workers);
        }
    }

    /**
     * Starts a reload: a new agent first when {@code agent} is set or the agent is dead, then a rolling reload of
     * the workers. {@code done} hears how it ended.
     *
     * @return why it did not start, or {@code null}
     */
    private String reload(boolean agent, Consumer<ControlCommands.Reloaded> done) {
        if (state == State.WAITING_FOR_CHANGE) {
            // Dev mode after a failed start: what failed may be outside the classes (a database that was down).
            log.info("reload: starting the agent and workers again after the failed start");
            startBeganNanos = nanoClock.getAsLong();
            reloadDone = done;
            startAgain();
            return null;
        }
        if (state != State.RUNNING) {
            String refused = state == State.RELOADING ? "a reload is already running" : "cannot reload while " + state;
            log.info("reload refused: {}", refused);
            return refused;
        }
        Child running = table.agent().orElse(null);
        try {
            reloadSettingLines = takeSettingsFromDisk(agent || running == null);
        } catch (ConfigurationException e) {
            String refused = "the application's configuration files on disk do not load, so nothing was replaced "
                    + "(fix them, then reload again): " + String.join("; ", e.problems());
            log.error("reload refused: {}", refused);
            return refused;
        } catch (RuntimeException e) {
            // A classpath entry that cannot be read, say: the operator hears it rather than waiting for an answer.
            log.error("reload refused: cannot read the application's configuration files on disk: {}", e.toString(),
                    e);
            return "cannot read the application's configuration files on disk (" + e + "), so nothing was replaced";
        }
        moveTo(State.RELOADING);
        reloadDone = done;
        if (running != null && !agent) {
            reloadWorkers(0);
            return null;
        }
        agentReload = new AgentReload(running);
        if (running == null) {
            log.info("reload: the agent is dead: starting a new one first");
            launchNewAgent();
        } else {
            log.info("reload: stopping {} first, then starting a new one", running.describe());
            stopper.askToStop(running, config.agentKillTimeout());
        }
        return null;
    }

    /**
     * Takes the {@code clutch.*} settings of the files on disk as a reload (or dev mode's restart) does: see
     * {@link ReloadSettings}. Each change is logged.
     *
     * @return a line per changed setting, saying what happens to it
     * @throws ConfigurationException when the files do not load: nothing is taken
     */
    private List<String> takeSettingsFromDisk(boolean newAgent) {
        ReloadSettings.Taken taken = reloadSettings.take(newAgent);
        ClutchConfig forMaster = taken.forMaster();
        if (forMaster != null) {
            supervisor.apply(forMaster);
            alarms.useWebhook(forMaster.alarmWebhookUrl(), forMaster.alarmWebhookTimeout(),
                    forMaster.alarmWebhookAttempts());
        }
        taken.lines().forEach(line -> log.info("setting changed in the files on disk: {}", line));
        return taken.lines();
    }

    /**
     * The reload's new agent, once the old one is gone: what it publishes replaces the state when it is ready, and
     * the payload types it registers are the ones the new workers must have.
     */
    private void launchNewAgent() {
        switchboard.newAgentStarting();
        payloadCheck.adoptFromNextAgent(switchboard::newPayloadTypes);
        Child agent = launch(Role.AGENT, 0, config.agentStartTimeout());
        if (agent == null) {
            agentReload = null;
            payloadCheck.revertAdoption();
            String why = "cannot launch a new agent: " + lastLaunchFailure;
            agentDeath.launchFailed(lastLaunchFailure);
            alarms.raise("reload-aborted", "reload aborted: " + why + "; the workers keep serving without an agent",
                    new LinkedHashMap<>(Map.of("role", Role.AGENT.label(), "exit", why)), List.of());
            finishReload(ControlCommands.Reloaded.failed(why));
        } else {
            agentReload.launched(agent);
        }
    }

    /** @param newAgentPid the agent this reload started, or 0 */
    private void reloadWorkers(long newAgentPid) {
        // A new agent that died since is the failure itself, not one that "runs, but".
        supervisor.startReload(failure -> finishReload(new ControlCommands.Reloaded(
                table.byPid(newAgentPid).isPresent() ? newAgentPid : 0, failure,
                failure == null && newAgentPid == 0 && agentOnOlderBuild())), nanoClock.getAsLong());
    }

    /** Whether the running agent was launched from another build than the one on disk now. */
    private boolean agentOnOlderBuild() {
        String now = children.build();
        return table.agent().map(Child::build).filter(b -> now != null && !b.equals(now)).isPresent();
    }

    private void finishReload(ControlCommands.Reloaded outcome) {
        if (state == State.RELOADING) {
            moveTo(State.RUNNING);
        }
        reloadsNewAgentPid = 0;
        log.info("reload {}", outcome.failure() == null ? "done" : "failed: " + outcome.failure());
        if (outcome.failure() != null) {
            switchboard.warnOfWorkersLeftOnTheOldBuild();
        }
        if (outcome.agentOnOlderBuild()) {
            log.warn("reload: {}", ControlCommands.AGENT_ON_OLDER_BUILD);
        }
        Consumer<ControlCommands.Reloaded> done = reloadDone;
        reloadDone = null;
        List<String> settings = reloadSettingLines;
        reloadSettingLines = List.of();
        if (done != null) {
            done.accept(outcome.withSettings(settings));
        }
    }

    private StatusReport status() {
        long now = nanoClock.getAsLong();
        StatusReport report = new StatusReport(config.name(), state.name().toLowerCase(java.util.Locale.ROOT),
                sharing.url(), supervisor.target());
        report.master(ProcessHandle.current().pid(), now - startedAtNanos, build);
        agentDeath.addTo(report);
        for (Child child : table.all()) {
            report.child(child, now, child.role() == Role.WORKER ? supervisor.restarts(child.workerId()) : 0);
        }
        return report;
    }

    /** A shared-state value for people; after a dev-mode rebuild the master may not know its type. */
    private String describePayload(byte[] bytes) {
        try {
            return String.valueOf(payloads.read(bytes));
        } catch (RuntimeException e) {
            return "(" + bytes.length + " bytes of a type this master cannot read)";
        }
    }

    /**
     * The master did not run for a while (stopped, or the machine paused): without this, every worker whose
     * heartbeats wait unread in the master's socket would look hung.
     *
     * @return the time it read, which the stall is made up to
     */
    private long makeUpForStall() {
        long now = nanoClock.getAsLong();
        if (lastTickNanos != 0 && now - lastTickNanos > STALL_NANOS) {
            long stalled = now - lastTickNanos;
            log.warn("the master did not run for {} ms (it was stopped, or the machine paused): the children's "
                    + "deadlines and heartbeats count from where they stood", TimeUnit.NANOSECONDS.toMillis(stalled));
            table.all().forEach(child -> child.shiftClocks(stalled));
        }
        lastTickNanos = now;
        return now;
    }

    private void checkDeadlines(long now) {
        controlMessages.expire(now);
        if (serving()) {
            supervisor.tick(now);
        }
        for (Child child : table.all()) {
            stopper.tick(child, now);
            if (child.isStarting() && child.isPastDeadline(now)) {
                Duration timeout = child.role() == Role.AGENT ? config.agentStartTimeout()
                        : config.workerStartTimeout();
                String key = child.role() == Role.AGENT ? "clutch.agent.startTimeout" : "clutch.worker.startTimeout";
                String late = child.phase() == Child.Phase.READY ? "did not finish its didReady hooks"
                        : "was not ready";
                String what = late + " within " + timeout.toMillis() + " ms (" + key + ")";
                if (serving()) {
                    log.error("{} {}: killed{}", child.describe(), what, child.stderrTail());
                    if (agentReload != null && agentReload.isNew(child)) {
                        agentReload.failed(what);
                    } else {
                        supervisor.workerFailed(child, what, now);
                    }
                } else {
                    failStart(child, what);
                }
                stopper.kill(child);
            }
        }
    }

    private void failStart(Child child, String what) {
        if (state != State.STARTING_AGENT && state != State.STARTING_WORKERS) {
            return;
        }
        log.error("start failed: {} {}{}", child.describe(), what, child.stderrTail());
        stopAfterFailedStart();
    }

    /** Exits, or in dev mode keeps the port until the next rebuild. */
    private void stopAfterFailedStart() {
        if (config.devWatch()) {
            if (rebuilding.getAsBoolean()) {
                // A build rewrites the classes under the starting JVMs: what failed may be fine once it is done.
                log.warn("dev mode: the start failed while a build was rewriting the classes; the master keeps {} "
                        + "and starts again once the build is done", sharing.url());
            } else {
                log.error("dev mode: fix the code and rebuild; the master keeps {} and starts again after the next "
                        + "change", sharing.url());
            }
            beginStop(ExitCode.START_FAILED, AfterStop.WAIT_FOR_CHANGE);
        } else {
            beginStop(ExitCode.START_FAILED);
        }
    }

    private void beginStop(ExitCode code) {
        beginStop(code, AfterStop.EXIT);
    }

    private void beginStop(ExitCode code, AfterStop next) {
        supervisor.cancelReload();
        if (agentReload != null) {
            agentReload = null;
            finishReload(ControlCommands.Reloaded.failed("the master is stopping"));
        }
        if (reloadDone != null && (state == State.STARTING_AGENT || state == State.STARTING_WORKERS)) {
            finishReload(ControlCommands.Reloaded.failed(code == ExitCode.START_FAILED
                    ? "the agent and workers failed to start again (the master's log says why)"
                    : next == AfterStop.RESTART ? "the classes changed again before the start was done"
                    : "the master is stopping"));
        }
        exitCode = code;
        afterStop = next;
        stopSignalNanos = 0;
        moveTo(State.STOPPING_WORKERS);
        for (Child worker : table.workers()) {
            stopper.askToStop(worker, config.workerKillTimeout());
        }
        if (next == AfterStop.EXIT) {
            // Dev mode's restart keeps the port: connections wait for the workers of the new build.
            sharing.stopAccepting();
        }
        advanceStop();
    }

    /** Moves the stop sequence on when the processes of its current step are gone. */
    private void advanceStop() {
        if (state == State.STOPPING_WORKERS && table.workers().isEmpty()) {
            moveTo(State.STOPPING_AGENT);
            table.agent().ifPresent(agent -> stopper.askToStop(agent, config.agentKillTimeout()));
        }
        if (state == State.STOPPING_AGENT && table.agent().isEmpty()) {
            switch (afterStop) {
                case RESTART -> startAgain();
                case WAIT_FOR_CHANGE -> moveTo(State.WAITING_FOR_CHANGE);
                default -> {
                    moveTo(State.STOPPED);
                    log.info("stopped ({})", exitCode);
                }
            }
        }
    }

    private Child launch(Role role, int workerId, Duration startTimeout) {
        if (state != State.STARTING_AGENT && state != State.STARTING_WORKERS && !serving()) {
            return null;
        }
        try {
            String build = children.build();
            ChildProcess process = children.launch(role, workerId);
            long now = nanoClock.getAsLong();
            Child child = new Child(role, workerId, process, build, now, now + startTimeout.toNanos(), switchboard);
            table.add(child);
            switchboard.launched(child);
            process.onExit().whenComplete((status, failure) -> {
                if (failure != null) {
                    log.warn("{}: its exit status cannot be read ({}); counted as a failure", child.describe(),
                            failure.toString());
                }
                events.add(new MasterEvent.Exited(process.pid(), failure == null ? status : ExitCode.FAILURE.code()));
            });
            log.info("launched {}", child.describe());
            return child;
        } catch (IOException | RuntimeException e) {
            lastLaunchFailure = e.toString();
            if (serving() && role == Role.AGENT) {
                log.error("cannot launch a new agent: {} (the reload stops there)", e.toString());
            } else if (serving()) {
                log.error("cannot launch {}-{}: {} (a reload stops there; a replacement is tried again within "
                        + "clutch.worker.refork.limit)", role.label(), workerId, e.toString());
            } else {
                log.error("start failed: cannot launch the {}: {}", role.label(), e.toString());
                stopAfterFailedStart();
            }
            return null;
        }
    }

    /** Since the current start began (dev mode restarts count from the rebuild). */
    private long millisSinceStart() {
        return TimeUnit.NANOSECONDS.toMillis(nanoClock.getAsLong() - startBeganNanos);
    }
}
