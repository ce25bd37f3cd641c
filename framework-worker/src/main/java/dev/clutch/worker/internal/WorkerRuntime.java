package dev.clutch.worker.internal;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.Stage;
import dev.clutch.core.api.LifecycleHook;
import dev.clutch.core.api.Role;
import dev.clutch.core.lifecycle.ChildModule;
import dev.clutch.core.lifecycle.HookRunner;
import dev.clutch.core.message.ClusterReady;
import dev.clutch.core.spi.ChildContext;
import dev.clutch.core.spi.RoleRuntime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A worker process: the application's worker modules in one injector, their hooks, and the HTTP server. */
public final class WorkerRuntime implements RoleRuntime {

    private HookRunner hooks;
    private HttpServer server;

    @Override
    public Role role() {
        return Role.WORKER;
    }

    @Override
    public void start(ChildContext context) throws Exception {
        List<Module> modules = new ArrayList<>();
        modules.add(new ChildModule(context));
        modules.addAll(context.application().workerModules());
        Injector injector = Guice.createInjector(Stage.PRODUCTION, modules);
        hooks = HookRunner.of(injector);
        hooks.run("didLoad", LifecycleHook::didLoad);
        server = new HttpServer(context.transport(), context.label());
        server.start(context, context.config().workerStartTimeout());
        hooks.run("willReady", LifecycleHook::willReady);
    }

    @Override
    public void ready() {
        hooks.run("didReady", LifecycleHook::didReady);
    }

    @Override
    public void clusterReady(ClusterReady cluster) {
        hooks.run("serverDidReady", LifecycleHook::serverDidReady);
    }

    @Override
    public void stop(Duration timeout) {
        if (server != null) {
            server.drain(timeout);
        }
        if (hooks != null) {
            hooks.runReversed("beforeClose", LifecycleHook::beforeClose);
        }
        if (server != null) {
            server.close();
        }
    }
}
