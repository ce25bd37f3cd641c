package dev.clutch.core.lifecycle;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.Stage;
import dev.clutch.core.api.ClutchComponent;
import dev.clutch.core.api.LifecycleHook;
import dev.clutch.core.api.Role;
import dev.clutch.core.spi.ChildContext;
import java.util.ArrayList;
import java.util.List;

/**
 * The injector of one agent or worker: core's bindings, the role runtime's, every enabled plugin's (in their
 * order), then the application's; and its hooks, through {@code configDidLoad} and {@code didLoad}.
 */
public record RoleInjector(Injector injector, HookRunner hooks) {

    static {
        // Also when an injector is built without Clutch.run (the test kit).
        StartupProperties.applyDefaults();
    }

    /**
     * Builds the injector and runs the first two hook steps.
     *
     * @param runtimeModule what the role's runtime binds (its API objects)
     * @throws com.google.inject.CreationException when the modules do not wire
     * @throws HookRunner.HookFailedException naming the hook that failed
     */
    public static RoleInjector create(ChildContext context, Module runtimeModule) {
        Role role = context.label().role();
        List<Module> modules = new ArrayList<>();
        modules.add(new ChildModule(context));
        modules.add(runtimeModule);
        for (ClutchComponent component : context.plugins().components(context.application())) {
            modules.addAll(role == Role.AGENT ? component.agentModules() : component.workerModules());
        }
        Injector injector = Guice.createInjector(Stage.PRODUCTION, modules);
        HookRunner hooks = HookRunner.of(injector);
        hooks.run("configDidLoad", LifecycleHook::configDidLoad);
        hooks.run("didLoad", LifecycleHook::didLoad);
        return new RoleInjector(injector, hooks);
    }
}
