package dev.clutch.agent.internal;

import com.google.inject.AbstractModule;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import com.google.inject.multibindings.Multibinder;
import dev.clutch.agent.api.FileStateSource;
import dev.clutch.agent.api.Schedules;
import dev.clutch.agent.api.SharedState;
import dev.clutch.agent.api.StateSource;
import dev.clutch.core.api.LifecycleHook;
import dev.clutch.core.api.Scheduled;
import dev.clutch.core.api.Role;
import dev.clutch.core.config.ClutchConfig;
import dev.clutch.core.lifecycle.HookRunner;
import dev.clutch.core.lifecycle.RoleInjector;
import dev.clutch.core.message.ClusterReady;
import dev.clutch.core.schedule.ScheduledMethods;
import dev.clutch.core.spi.ChildContext;
import dev.clutch.core.spi.RoleRuntime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The agent process: the application's agent modules in one injector, and their lifecycle hooks. */
public final class AgentRuntime implements RoleRuntime {

    private static final Logger log = LoggerFactory.getLogger(AgentRuntime.class);

    private HookRunner hooks;
    private final List<StateSource> sources = new ArrayList<>();
    private final AgentSchedules schedules = new AgentSchedules();
    private ChildContext context;
    /** Guards {@link #scheduler} and {@link #stopped}: the cluster-ready hooks and a stop run on two threads. */
    private final Object schedulerLock = new Object();
    private Scheduler scheduler;
    private boolean stopped;

    @Override
    public Role role() {
        return Role.AGENT;
    }

    @Override
    public void start(ChildContext context) throws Exception {
        this.context = context;
        AgentState state = new AgentState(context.payloads(), context::sendToMaster, context::masterKeepsUp,
                context.config().maxFrameBytes());
        RoleInjector started = RoleInjector.create(context, new AbstractModule() {
            @Override
            protected void configure() {
                bind(SharedState.class).toInstance(state);
                bind(Schedules.class).toInstance(schedules);
                Multibinder.newSetBinder(binder(), StateSource.class);
            }
        });
        hooks = started.hooks();
        LoneStateSources.refuse(started.injector());
        declareAnnotated(started.injector());
        sources.addAll(started.injector().getInstance(Key.get(new TypeLiteral<Set<StateSource>>() { })));
        ClutchConfig config = context.config();
        if (!config.stateFile().isBlank()) {
            sources.add(new FileStateSource(config.baseDir().resolve(config.stateFile()), config.stateFilePrefix(),
                    config.stateFilePollInterval()));
        }
        for (StateSource source : sources) {
            source.start(state);
        }
        hooks.run("willReady", LifecycleHook::willReady);
    }

    /** The {@code @Scheduled} methods: the agent triggers them all, and runs its own. */
    private void declareAnnotated(Injector injector) {
        for (ScheduledMethods.Entry entry : ScheduledMethods.of(context.application(), context.plugins())) {
            Scheduled annotation = entry.schedule();
            try {
                Schedules.Schedule schedule = (annotation.every().isBlank() ? schedules.cron(annotation.cron())
                        : schedules.every(annotation.every())).named(entry.name());
                if (annotation.immediate()) {
                    schedule.immediate();
                }
                if (annotation.envs().length > 0) {
                    schedule.inEnvs(annotation.envs());
                }
                switch (annotation.on()) {
                    // One instance, made now: a class that does not wire fails the start, not its first run.
                    case AGENT -> {
                        Object instance = injector.getInstance(entry.type());
                        schedule.runOnAgent(() -> entry.run(instance));
                    }
                    case ALL_WORKERS -> schedule.runOnAllWorkers(entry.name());
                    default -> schedule.runOnOneWorker(entry.name());
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("@Scheduled " + entry.type().getName() + "."
                        + entry.method().getName() + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void ready() {
        hooks.run("didReady", LifecycleHook::didReady);
    }

    @Override
    public void clusterReady(ClusterReady cluster) {
        log.info("cluster ready: {} workers, serving {}", cluster.workerPids().length, cluster.url());
        hooks.runLogged("serverDidReady", LifecycleHook::serverDidReady);
        synchronized (schedulerLock) {
            // A stop that came while the hooks ran has closed what the schedules would use: none start.
            if (scheduler == null && !stopped) {
                scheduler = new Scheduler(schedules.seal(), context.messenger(), context.config().env());
                scheduler.start();
            }
        }
    }

    @Override
    public void stop(Duration timeout) {
        Scheduler started;
        synchronized (schedulerLock) {
            stopped = true;
            started = scheduler;
        }
        if (started != null) {
            started.close(timeout);
        }
        for (StateSource source : sources) {
            try {
                source.close();
            } catch (RuntimeException e) {
                // The other sources, and the application's beforeClose hooks, still get their turn.
                log.error("state source {} failed to close: {}", source.getClass().getName(), e.toString(), e);
            }
        }
        if (hooks != null) {
            hooks.runReversed("beforeClose", LifecycleHook::beforeClose);
        }
    }
}
