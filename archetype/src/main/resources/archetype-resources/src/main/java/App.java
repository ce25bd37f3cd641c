package ${package};

import dev.clutch.core.api.Clutch;
import dev.clutch.core.api.ClutchApplication;

/** The application's entry point: the same class starts the master, the agent and every worker. */
public final class App implements ClutchApplication {

    public static void main(String[] args) {
        Clutch.run(App.class, args);
    }
}
