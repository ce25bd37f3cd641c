package dev.clutch.worker.internal;

import com.google.inject.AbstractModule;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import dev.clutch.core.api.LifecycleHook;
import dev.clutch.core.api.Scheduled;
import dev.clutch.core.api.Role;
import dev.clutch.core.config.ClutchConfig;
import dev.clutch.core.lifecycle.HookRunner;
import dev.clutch.core.lifecycle.RoleInjector;
import dev.clutch.core.message.ClusterReady;
import dev.clutch.core.message.StateChange;
import dev.clutch.core.message.StateSnapshot;
import dev.clutch.core.schedule.ScheduledMethods;
import dev.clutch.core.spi.ChildContext;
import dev.clutch.core.spi.RoleRuntime;
import dev.clutch.worker.api.Filter;
import dev.clutch.worker.api.Handler;
import dev.clutch.worker.api.Route;
import dev.clutch.worker.api.Routes;
import dev.clutch.worker.api.ScheduledTasks;
import dev.clutch.worker.api.SharedStateView;
import jakarta.inject.Provider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A worker process: the application's worker modules in one injector, their hooks, and the HTTP server. */
public final class WorkerRuntime implements RoleRuntime {

    private HookRunner hooks;
    private HttpServer server;
    private Heartbeats heartbeats;
    private volatile WorkerState state;
    private WorkerTasks tasks;
    /** Messages that came before the state view existed: the master sends the snapshot as soon as it can. */
    private final List<Object> early = new ArrayList<>();
    /** A stop came before the state view existed (guarded by {@link #early}). */
    private boolean abandoned;

    @Override
    public Role role() {
        return Role.WORKER;
    }

    @Override
    public void start(ChildContext context) throws Exception {
        WorkerState view = new WorkerState(context.payloads(), context::sendToMaster);
        synchronized (early) {
            if (abandoned) {
                throw new IllegalStateException("stopped before the start");
            }
            state = view;
            early.forEach(this::dispatch);
            early.clear();
        }
        // Before any of the application's code runs: its hooks and constructors read the whole state, and a
        // listener they register sees the changes after it, never part of the snapshot by chance of timing. At a
        // start the master sends it once the agent, launched beside this worker, is ready: that is the wait here.
        Duration wait = context.config().agentStartTimeout().plus(context.config().workerStartTimeout());
        if (!state.awaitSnapshot(wait)) {
            throw new IllegalStateException("the master sent no state snapshot within " + wait.toMillis() + " ms");
        }
        FatalErrors fatalErrors = new FatalErrors(context::sendToMaster);
        tasks = new WorkerTasks(context.messenger(), context.label(), fatalErrors);
        RoleInjector started = RoleInjector.create(context, new AbstractModule() {
            @Override
            protected void configure() {
                bind(SharedStateView.class).toInstance(state);
                bind(ScheduledTasks.class).toInstance(tasks);
                Routes.of(binder()).nonBlocking().get(HealthHandler.PATH, HealthHandler.class);
            }
        });
        Injector injector = started.injector();
        hooks = started.hooks();
        for (ScheduledMethods.Entry entry : ScheduledMethods.of(context.application(), context.plugins())) {
            if (entry.schedule().on() != Scheduled.Run.AGENT) {
                // One instance, made now: a class that does not wire fails the start, not its first run.
                Object instance = injector.getInstance(entry.type());
                tasks.register(entry.name(), () -> entry.run(instance));
            }
        }
        if (context.supervised()) {
            fatalErrors.watchUncaught();
        }
        Dispatcher.Shared shared = shared(injector, context.config(), fatalErrors);
        server = new HttpServer(context, shared);
        server.prepare(context);
        hooks.run("willReady", LifecycleHook::willReady);
        // Only now, with the application's start-up done, and before this worker reports ready.
        server.open();
        if (context.supervised()) {
            heartbeats = new Heartbeats(server.eventLoops(), context.config().heartbeatInterval(),
                    shared.inFlight()::served, context::sendToMaster);
        }
    }

    private static Dispatcher.Shared shared(Injector injector, ClutchConfig config, FatalErrors fatalErrors) {
        Set<Route> routes = injector.getInstance(Key.get(new TypeLiteral<Set<Route>>() { }));
        Map<Class<? extends Handler>, Provider<? extends Handler>> handlers = new HashMap<>();
        for (Route route : routes) {
            handlers.put(route.handler(), injector.getProvider(route.handler()));
        }
        Key<Set<Filter>> filterKey = Key.get(new TypeLiteral<>() { });
        List<Filter> filters = injector.getExistingBinding(filterKey) == null
                ? List.of()
                : List.copyOf(injector.getInstance(filterKey));
        return new Dispatcher.Shared(new RouteTable(routes), Map.copyOf(handlers), filters,
                HandlerExecutor.create(config.workerBlockingThreads(), config.workerMaxBlockingHandlers()),
                config.requestTimeout(), new InFlight(),
                new Draining(), new ResponseWriter(config.accessLog()), new RequestIds(), fatalErrors);
    }

    @Override
    public void onMessage(Object body) {
        synchronized (early) {
            if (state == null) {
                early.add(body);
                return;
            }
        }
        dispatch(body);
    }

    private void dispatch(Object body) {
        if (body instanceof StateSnapshot snapshot) {
            state.snapshot(snapshot);
        } else if (body instanceof StateChange change) {
            state.change(change);
        }
    }

    @Override
    public void ready() {
        hooks.run("didReady", LifecycleHook::didReady);
    }

    @Override
    public void clusterReady(ClusterReady cluster) {
        hooks.runLogged("serverDidReady", LifecycleHook::serverDidReady);
    }

    @Override
    public void abandonStart() {
        WorkerState view;
        synchronized (early) {
            abandoned = true;
            view = state;
        }
        if (view != null) {
            view.close();
        }
    }

    @Override
    public void stop(Duration timeout) {
        if (heartbeats != null) {
            heartbeats.close();
        }
        if (server != null) {
            server.drain(timeout);
        }
        if (hooks != null) {
            hooks.runReversed("beforeClose", LifecycleHook::beforeClose);
        }
        if (server != null) {
            server.close();
        }
        if (state != null) {
            state.close();
        }
        if (tasks != null) {
            tasks.close();
        }
    }
}
