package dev.clutch.core.child;

import com.typesafe.config.ConfigFactory;
import dev.clutch.core.api.ClutchApplication;
import dev.clutch.core.api.ExitCode;
import dev.clutch.core.api.Role;
import dev.clutch.core.config.ClutchConfig;
import dev.clutch.core.config.ConfigLoader;
import dev.clutch.core.config.ConfigurationException;
import dev.clutch.core.ipc.IpcTransport;
import dev.clutch.core.lifecycle.ForeignSignals;
import dev.clutch.core.lifecycle.Signals;
import dev.clutch.core.logging.FailureCause;
import dev.clutch.core.logging.LogLayout;
import dev.clutch.core.logging.ProcessLabel;
import dev.clutch.core.message.AgentDown;
import dev.clutch.core.message.AppMessage;
import dev.clutch.core.message.ClusterReady;
import dev.clutch.core.message.Envelope;
import dev.clutch.core.message.MessageRegistry;
import dev.clutch.core.message.PayloadCodec;
import dev.clutch.core.message.ProcessReady;
import dev.clutch.core.message.ReadyHooksDone;
import dev.clutch.core.message.StopRequest;
import dev.clutch.core.message.Unanswered;
import dev.clutch.core.message.Undelivered;
import dev.clutch.core.plugin.PluginSet;
import dev.clutch.core.spi.RoleRuntime;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a child process (agent or worker): connect to the master, start the role's runtime, report ready, then
 * serve until the master says stop. A child whose master is gone stops by itself within a second: no orphans.
 */
public final class ChildBoot {

    private static final List<String> MASTER_SIGNALS = List.of("HUP", "TTIN", "TTOU");

    /** How long a child that lost its master may spend stopping before it halts. */
    private static final long MASTER_LOST_GRACE_MILLIS = 700;
    /** How long a child that got SIGTERM waits for the master's stop order before stopping by itself. */
    private static final Duration SELF_STOP_GRACE = Duration.ofSeconds(2);
    /** When a stop under way is overdue: its timeout and grace, as the master counts them. */
    private volatile long haltAtNanos;

    private final Class<? extends ClutchApplication> applicationClass;
    private final ChildEnvironment environment = ChildEnvironment.current();
    private final ProcessLabel label = ProcessLabel.current();
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** The start has ended, ready or not: a stop waits for it. */
    private final CountDownLatch startEnded = new CountDownLatch(1);
    private final AtomicBoolean stopping = new AtomicBoolean();
    private volatile ExitCode exitCode = ExitCode.OK;
    private volatile boolean linked;
    /** Whether the didReady hooks ran through: the cluster's ready comes after them, whenever the master sends it. */
    private final CompletableFuture<Boolean> readyHooksDone = new CompletableFuture<>();
    private final ExecutorService lifecycle = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "clutch-lifecycle");
        t.setDaemon(true);
        return t;
    });
    private Logger log;
    private volatile RoleRuntime runtime;
    private MasterLink link;
    private volatile ChildMessenger messenger;

    private ChildBoot(Class<? extends ClutchApplication> applicationClass) {
        this.applicationClass = applicationClass;
    }

    /** Runs this child to its end and returns its exit code. */
    public static ExitCode run(Class<? extends ClutchApplication> applicationClass) {
        return new ChildBoot(applicationClass).run();
    }

    private ExitCode run() {
        ClutchConfig config;
        try {
            config = ClutchConfig.of(ConfigLoader.load(applicationClass.getClassLoader(), environment.env(),
                    ConfigFactory.parseString(environment.configOverrides()), System.getenv()), "");
        } catch (ConfigurationException e) {
            // Before logging exists: stderr, which the master shows with the child's failure. Dev mode gets here
            // after a rebuild with a bad value; a start checks the configuration before any child.
            System.err.println(label.fileName() + ": invalid configuration: " + e.getMessage());
            return ExitCode.CONFIG_ERROR;
        }
        LogLayout.install(label, config.logDir());
        log = LoggerFactory.getLogger(ChildBoot.class);
        // Ctrl-C reaches the whole process group; the master decides the order of the stop.
        Signals.handle("INT", () -> log.debug("SIGINT ignored: the master orchestrates the stop"));
        Signals.handle("TERM", () -> onTerm(config));
        // The master's reload and scale signals: sent to the process group (a closed terminal, kill -HUP -- -pgid,
        // pkill -f), HUP would end every child at once, without a drain, and TTIN or TTOU suspend it.
        for (String name : MASTER_SIGNALS) {
            Signals.handle(name, () -> log.info("SIG{} ignored: the master's signal, send it to the master (pid {})",
                    name, ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L)));
        }
        for (String name : ForeignSignals.names()) {
            // Sent to the process group, they would end the children the master ignores them for.
            Signals.handle(name, () -> log.info("SIG{} ignored: not a Clutch signal", name));
        }

        IpcTransport transport = IpcTransport.detect();
        EventLoopGroup group = transport.newGroup(1, "clutch-ipc");
        try {
            runtime = RoleRuntime.find(label.role());
            ClutchApplication application = applicationClass.getDeclaredConstructor().newInstance();
            PluginSet plugins = PluginSet.load(applicationClass.getClassLoader(), config.raw());
            PayloadCodec codec = PayloadCodec.of(plugins.payloadTypes(application), config.maxFrameBytes());
            link = new MasterLink(transport, group, environment, MessageRegistry.framework(), config.maxFrameBytes(),
                    config.maxPendingBytes(), codec.describe());
            messenger = new ChildMessenger(codec, link, label.fileName());
            link.connect(this::onMessage, this::masterLost);
            linked = true;
            failIfStopping();
            runtime.start(new Context(new ProcessContext.Parts(application, plugins, config, label, transport, codec,
                    messenger)));
            // Told to stop meanwhile: no ready and no didReady; the stop's beforeClose follows.
            failIfStopping();
            link.send(Envelope.toMaster(new ProcessReady())).syncUninterruptibly();
            runtime.ready();
            link.send(Envelope.toMaster(new ReadyHooksDone()));
            readyHooksDone.complete(true);
        } catch (Throwable e) {
            readyHooksDone.complete(false);
            if (stopping.get()) {
                // Told to stop during the start (a start of the cluster that failed elsewhere): the stop's outcome
                // stands, and this is no failure of its own.
                log.info("{} stopped before it was ready ({})", label.fileName(), e.getMessage());
            } else {
                log.error("{} failed to start: {}", label.fileName(), FailureCause.describe(e), e);
                stopping.set(true);
                exitCode = ExitCode.START_FAILED;
                stopped.countDown();
            }
        } finally {
            startEnded.countDown();
        }
        awaitStop();
        if (messenger != null) {
            messenger.close();
        }
        if (link != null) {
            link.close();
        }
        group.shutdownGracefully(0, 100, TimeUnit.MILLISECONDS);
        return exitCode;
    }

    private void onMessage(Envelope envelope) {
        // A message this process fails to handle is its own problem: the connection to the master stays.
        try {
            handle(envelope);
        } catch (RuntimeException | LinkageError | AssertionError e) {
            log.error("handling {} failed: {}", envelope.body().getClass().getSimpleName(), e.toString(), e);
        }
    }

    private void handle(Envelope envelope) {
        Object body = envelope.body();
        if (body instanceof StopRequest stop) {
            stopAsync(Duration.ofMillis(stop.timeoutMillis()), "the master");
        } else if (body instanceof ClusterReady cluster) {
            // The application's serverDidReady hooks may take their time: not on the IPC thread, which must keep
            // delivering messages (a stop order among them) meanwhile.
            lifecycle.execute(() -> {
                try {
                    // The master sends it once every process reported ready, which they do before their didReady
                    // hooks: serverDidReady waits for this process's didReady, as Egg orders them.
                    if (readyHooksDone.join()) {
                        runtime.clusterReady(cluster);
                    }
                } catch (Exception e) {
                    log.error("cluster-ready handling failed: {}", e.toString(), e);
                }
            });
        } else if (body instanceof AppMessage) {
            messenger.received(envelope);
        } else if (body instanceof Undelivered notice) {
            messenger.undeliverable(notice);
        } else if (body instanceof Unanswered notice) {
            messenger.unanswered(notice);
        } else if (body instanceof AgentDown down) {
            log.warn("the agent (pid {}) died ({}): serving on with the state this process has", down.agentPid(),
                    down.cause());
        } else {
            runtime.onMessage(body);
        }
    }

    private void failIfStopping() {
        if (stopping.get()) {
            throw new IllegalStateException("told to stop during the start");
        }
    }

    /** Stops on a thread of its own: the caller may be the IPC thread the stop needs. */
    private void stopAsync(Duration timeout, String askedBy) {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        haltAtNanos = System.nanoTime() + timeout.toNanos() + StopRequest.GRACE.toNanos();
        Thread thread = new Thread(() -> {
            log.info("stopping, as asked by {} (up to {} ms)", askedBy, timeout.toMillis());
            try {
                RoleRuntime started = runtime;
                if (started != null) {
                    long deadline = System.nanoTime() + timeout.toNanos();
                    if (startEnded.getCount() > 0) {
                        // The stop must not run beside the start (beforeClose before willReady has ended, hooks the
                        // start registers after it never closed): it ends the start's waits, then waits for it.
                        started.abandonStart();
                        if (!startEnded.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                            log.warn("the start has not ended within the stop's {} ms: stopping beside it",
                                    timeout.toMillis());
                        }
                    }
                    started.stop(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                log.error("stop failed: {}", e.toString(), e);
                exitCode = ExitCode.FAILURE;
            } finally {
                stopped.countDown();
            }
        }, "clutch-stop");
        thread.start();
    }

    /**
     * A TERM sent to the whole process group (by {@code timeout}, or systemd's default kill mode) reaches children
     * too. The master's stop order (workers first, then the agent) arrives at once; a child stops on its own only
     * if it does not.
     */
    private void onTerm(ClutchConfig config) {
        Duration killTimeout = label.role() == Role.AGENT ? config.agentKillTimeout() : config.workerKillTimeout();
        if (!linked) {
            // Not connected yet: the master's stop order cannot reach this process.
            stopAsync(killTimeout, "SIGTERM");
            return;
        }
        // The agent's turn comes once the workers are gone, which the master waits for up to their kill timeout
        // and grace, then kills them.
        Duration wait = label.role() == Role.AGENT
                ? config.workerKillTimeout().plus(StopRequest.GRACE).plus(SELF_STOP_GRACE)
                : SELF_STOP_GRACE;
        log.info("SIGTERM: waiting up to {} ms for the master's stop order", wait.toMillis());
        Thread fallback = new Thread(() -> {
            try {
                Thread.sleep(wait.toMillis());
                stopAsync(killTimeout, "SIGTERM, with no stop order from the master");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "clutch-term");
        fallback.setDaemon(true);
        fallback.start();
    }

    private void masterLost() {
        if (stopping.get()) {
            // Stopping already: the master would have killed this process when its stop time ran out; without a
            // master, it does so itself, so that a stop stuck in a hook cannot leave it running for good.
            long at = haltAtNanos;
            // Zero only in the instant between the stop's start and its deadline being set.
            haltAt(at != 0 ? at : System.nanoTime() + StopRequest.GRACE.toNanos(), exitCode);
            return;
        }
        // A master that is still there closed the connection itself: a frame of this process it refused.
        boolean masterAlive = ProcessHandle.current().parent().map(ProcessHandle::isAlive).orElse(false);
        log.warn(masterAlive ? "the master closed this process's IPC connection (its log says why): stopping"
                : "lost the master's IPC connection: stopping");
        exitCode = ExitCode.MASTER_LOST;
        haltAt(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MASTER_LOST_GRACE_MILLIS), ExitCode.MASTER_LOST);
        stopAsync(Duration.ofMillis(MASTER_LOST_GRACE_MILLIS / 2), "the loss of the master");
    }

    /** Ends the JVM at {@code atNanos} unless it has exited by then. */
    private static void haltAt(long atNanos, ExitCode code) {
        Thread halt = new Thread(() -> {
            try {
                TimeUnit.NANOSECONDS.sleep(Math.max(0, atNanos - System.nanoTime()));
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            Runtime.getRuntime().halt(code.code());
        }, "clutch-halt");
        halt.setDaemon(true);
        halt.start();
    }

    private void awaitStop() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Context extends ProcessContext {

        Context(Parts parts) {
            super(parts);
        }

        @Override
        public void sendToMaster(Object body) {
            // Thrown here when it cannot be sent (over clutch.ipc.maxFrameBytes): the caller must know.
            link.post(Envelope.toMaster(body));
        }

        @Override
        public boolean masterKeepsUp() {
            return link.isWritable();
        }

        @Override
        public void receiveDescriptors(Consumer<FileDescriptor> receiver, Runnable lostOne, Runnable afterBatch)
                throws IOException {
            link.receiveDescriptors(receiver, lostOne, afterBatch);
        }
    }
}
