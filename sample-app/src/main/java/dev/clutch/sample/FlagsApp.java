package dev.clutch.sample;

import dev.clutch.core.api.Clutch;
import dev.clutch.core.api.ClutchApplication;

/**
 * The sample application: a feature-flag service. The agent will watch the flags file and push it to the workers,
 * which serve it over HTTP.
 */
public final class FlagsApp implements ClutchApplication {

    public static void main(String[] args) {
        Clutch.run(FlagsApp.class, args);
    }
}
