package ${package}.agent;

import dev.clutch.agent.api.SharedState;
import dev.clutch.agent.api.StateSource;
import ${package}.HelloSettings;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The agent's source of shared state: the greeting and a tick count. A real application would watch a database,
 * a remote configuration service or a file here, once per host, and publish what changed.
 */
@Singleton
final class TickerSource implements StateSource {

    private final HelloSettings settings;
    private final AtomicLong ticks = new AtomicLong();
    private volatile SharedState state;

    @Inject
    TickerSource(HelloSettings settings) {
        this.settings = settings;
    }

    @Override
    public void start(SharedState state) {
        this.state = state;
        state.putAll(Map.of("greeting", settings.greeting(), "ticks", 0L));
    }

    /** One more tick: every worker gets the new count. */
    void tick() {
        if (state != null) {
            state.put("ticks", ticks.incrementAndGet());
        }
    }
}
