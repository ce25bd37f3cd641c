package ${package};

import java.time.Duration;

/**
 * The application's settings: {@code hello { ... }} in {@code application.conf}, read and checked at start.
 *
 * @param greeting what the agent publishes and {@code GET /hello} answers
 * @param tickEvery how often the agent's schedule counts a tick
 */
public record HelloSettings(String greeting, Duration tickEvery) {

    public HelloSettings {
        if (greeting.isBlank()) {
            throw new IllegalArgumentException("greeting must not be blank");
        }
    }
}
