package ${package}.agent;

import dev.clutch.agent.api.Schedules;
import dev.clutch.core.api.LifecycleHook;
import ${package}.HelloSettings;
import jakarta.inject.Inject;

/** Declares the agent's schedule; every run is logged to {@code logs/schedule.log}. */
final class TickerSchedule implements LifecycleHook {

    private final Schedules schedules;
    private final TickerSource source;
    private final HelloSettings settings;

    @Inject
    TickerSchedule(Schedules schedules, TickerSource source, HelloSettings settings) {
        this.schedules = schedules;
        this.source = source;
        this.settings = settings;
    }

    @Override
    public void didLoad() {
        schedules.every(settings.tickEvery()).named("tick").runOnAgent(source::tick);
    }
}
