package dev.clutch.sample.agent;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import dev.clutch.agent.api.Schedules;
import dev.clutch.core.api.LifecycleHook;
import dev.clutch.core.api.Messenger;
import dev.clutch.sample.FlagNames;
import dev.clutch.sample.FlagSettings;
import dev.clutch.sample.FlagUpdate;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's flag work: seeds the file before Clutch's file source reads it, takes the workers' changes, and
 * declares the schedules (statistics here, the stale-flag check on one worker).
 */
final class FlagAgent implements LifecycleHook {

    private static final Logger log = LoggerFactory.getLogger(FlagAgent.class);

    private final FlagFile file;
    private final Messenger messenger;
    private final Schedules schedules;
    private final FlagSettings settings;

    @Inject
    FlagAgent(FlagFile file, Messenger messenger, Schedules schedules, FlagSettings settings) {
        this.file = file;
        this.messenger = messenger;
        this.schedules = schedules;
        this.settings = settings;
    }

    @Override
    public void didLoad() throws Exception {
        // Hooks run before the state sources start: the file is there when Clutch first reads it.
        file.seedIfMissing();
        messenger.on(FlagNames.SET_ACTION, message -> {
            FlagUpdate update = (FlagUpdate) message.payload();
            // Workers validate too; the agent owns the file, so it checks again.
            if (!FlagNames.isValid(update.name()) || update.rollout() < 0 || update.rollout() > 100) {
                throw new IllegalArgumentException("invalid flag change " + update);
            }
            file.set(update.name(), update.enabled(), update.rollout());
            log.info("flag {} set to enabled={} rollout={} by worker pid {}", update.name(), update.enabled(),
                    update.rollout(), message.fromPid());
            return "written";
        });
        schedules.every(settings.statsEvery()).named("flag-stats").runOnAgent(this::logStatistics);
        schedules.cron(settings.staleCheck()).named("stale-flags").runOnOneWorker("stale-flags");
    }

    private void logStatistics() {
        int valid = 0;
        int enabled = 0;
        long rolloutSum = 0;
        List<String> invalid = new ArrayList<>();
        for (Map.Entry<String, ConfigValue> entry : file.read().entrySet()) {
            try {
                Config flag = ((ConfigObject) entry.getValue()).toConfig();
                int rollout = flag.getInt("rollout");
                boolean on = flag.getBoolean("enabled");
                if (!FlagNames.isValid(entry.getKey()) || rollout < 0 || rollout > 100) {
                    // What the workers leave out is not counted as valid here either.
                    invalid.add(entry.getKey());
                    continue;
                }
                enabled += on ? 1 : 0;
                rolloutSum += rollout;
                valid++;
            } catch (ClassCastException | ConfigException e) {
                // The workers leave such a flag out and say why; here it is only counted.
                invalid.add(entry.getKey());
            }
        }
        log.info("flag statistics: {} flags, {} enabled, average rollout {}%{}", valid, enabled,
                valid == 0 ? 0 : Math.round((double) rolloutSum / valid),
                invalid.isEmpty() ? "" : "; not valid, left out by the workers: " + String.join(", ", invalid));
    }
}
