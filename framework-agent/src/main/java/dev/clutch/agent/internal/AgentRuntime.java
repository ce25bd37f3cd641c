package dev.clutch.agent.internal;

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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The agent process: the application's agent modules in one injector, and their lifecycle hooks. */
public final class AgentRuntime implements RoleRuntime {

    private static final Logger log = LoggerFactory.getLogger(AgentRuntime.class);

    private HookRunner hooks;

    @Override
    public Role role() {
        return Role.AGENT;
    }

    @Override
    public void start(ChildContext context) {
        List<Module> modules = new ArrayList<>();
        modules.add(new ChildModule(context));
        modules.addAll(context.application().agentModules());
        Injector injector = Guice.createInjector(Stage.PRODUCTION, modules);
        hooks = HookRunner.of(injector);
        hooks.run("didLoad", LifecycleHook::didLoad);
        hooks.run("willReady", LifecycleHook::willReady);
    }

    @Override
    public void ready() {
        hooks.run("didReady", LifecycleHook::didReady);
    }

    @Override
    public void clusterReady(ClusterReady cluster) {
        log.info("cluster ready: {} workers, serving {}", cluster.workerPids().length, cluster.url());
        hooks.run("serverDidReady", LifecycleHook::serverDidReady);
    }

    @Override
    public void stop(Duration timeout) {
        if (hooks != null) {
            hooks.runReversed("beforeClose", LifecycleHook::beforeClose);
        }
    }
}
