package dev.clutch.sample.agent;

import com.google.inject.AbstractModule;
import dev.clutch.core.api.Lifecycle;
import dev.clutch.core.api.TypedConfig;
import dev.clutch.sample.FlagSettings;

/** The agent's side: the flags file, the writer workers ask, and the schedules. */
public final class FlagAgentModule extends AbstractModule {

    @Override
    protected void configure() {
        TypedConfig.bind(binder(), "flags", FlagSettings.class);
        Lifecycle.addHook(binder()).to(FlagAgent.class);
    }
}
