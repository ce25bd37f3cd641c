package dev.clutch.sample.worker;

import com.google.inject.AbstractModule;
import dev.clutch.core.api.Lifecycle;
import dev.clutch.core.api.TypedConfig;
import dev.clutch.sample.FlagSettings;
import dev.clutch.worker.api.Routes;

/** The workers' side: the flag API and the stale-flag task. */
public final class FlagRoutesModule extends AbstractModule {

    @Override
    protected void configure() {
        TypedConfig.bind(binder(), "flags", FlagSettings.class);
        Routes routes = Routes.of(binder());
        routes.get("/flags", FlagHandlers.ListFlags.class);
        routes.get("/flags/{name}", FlagHandlers.GetFlag.class);
        routes.get("/flags/{name}/evaluate", FlagHandlers.Evaluate.class);
        routes.put("/flags/{name}", FlagHandlers.PutFlag.class);
        Lifecycle.addHook(binder()).to(StaleFlags.class);
    }
}
