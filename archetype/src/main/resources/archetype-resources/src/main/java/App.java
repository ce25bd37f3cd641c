package ${package};

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import dev.clutch.core.api.Clutch;
import dev.clutch.core.api.ClutchApplication;
import dev.clutch.core.api.TypedConfig;
import dev.clutch.worker.api.Routes;
import ${package}.worker.HelloRoute;
import java.util.List;

/**
 * The application's entry point. Clutch starts this class in every process: the master, the agent and each
 * worker. The agent's work comes from the ticker plugin (see {@code agent/TickerPlugin}); the workers serve the
 * routes declared here.
 */
public final class App implements ClutchApplication {

    public static void main(String[] args) {
        Clutch.run(App.class, args);
    }

    @Override
    public List<Module> workerModules() {
        return List.of(new AbstractModule() {
            @Override
            protected void configure() {
                TypedConfig.bind(binder(), "hello", HelloSettings.class);
                Routes.of(binder()).get("/hello", HelloRoute.class);
            }
        });
    }
}
