package ${package}.agent;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import com.google.inject.multibindings.Multibinder;
import dev.clutch.agent.api.StateSource;
import dev.clutch.core.api.ClutchPlugin;
import dev.clutch.core.api.Lifecycle;
import dev.clutch.core.api.TypedConfig;
import ${package}.HelloSettings;
import java.util.List;

/**
 * A plugin that runs in the agent: a state source that publishes the greeting, and a schedule that counts ticks
 * into the shared state. Found through {@code META-INF/services/dev.clutch.core.api.ClutchPlugin}; switch it off
 * with {@code clutch.plugins.ticker.enabled = false}.
 */
public final class TickerPlugin implements ClutchPlugin {

    @Override
    public String name() {
        return "ticker";
    }

    @Override
    public List<Module> agentModules() {
        return List.of(new AbstractModule() {
            @Override
            protected void configure() {
                TypedConfig.bind(binder(), "hello", HelloSettings.class);
                Multibinder.newSetBinder(binder(), StateSource.class).addBinding().to(TickerSource.class);
                Lifecycle.addHook(binder()).to(TickerSchedule.class);
            }
        });
    }
}
