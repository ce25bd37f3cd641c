package dev.clutch.sample.worker;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import dev.clutch.sample.FlagNames;
import dev.clutch.worker.api.SharedStateView;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The flags in this worker's copy of the shared state, where the agent's file source put them. */
@Singleton
final class FlagView {

    private static final Logger log = LoggerFactory.getLogger(FlagView.class);

    private final SharedStateView state;
    /** The version of each invalid flag already warned about: a client asking again does not flood the log. */
    private final Map<String, Long> warned = new ConcurrentHashMap<>();

    @Inject
    FlagView(SharedStateView state) {
        this.state = state;
    }

    List<Flag> all() {
        return state.snapshot().keySet().stream()
                .filter(key -> key.startsWith(FlagNames.STATE_PREFIX))
                .map(key -> find(key.substring(FlagNames.STATE_PREFIX.length())))
                .flatMap(Optional::stream)
                .sorted(Comparator.comparing(Flag::name))
                .toList();
    }

    Optional<Flag> find(String name) {
        String key = FlagNames.STATE_PREFIX + name;
        Optional<Object> value = state.get(key);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        try {
            if (!FlagNames.isValid(name)) {
                // A hand edit can add one the API could never PUT.
                throw new ConfigException.BadValue(name, FlagNames.rule());
            }
            // The file source publishes each flag's object as JSON, which HOCON reads.
            Config flag = ConfigFactory.parseString(Objects.toString(value.get()));
            int rollout = flag.getInt("rollout");
            if (rollout < 0 || rollout > 100) {
                throw new ConfigException.BadValue("rollout", "must be 0 to 100, not " + rollout);
            }
            return Optional.of(new Flag(name, flag.getBoolean("enabled"), rollout, state.versionOf(key)));
        } catch (ConfigException e) {
            long version = state.versionOf(key);
            if (!Objects.equals(warned.put(name, version), version)) {
                log.warn("flag {} in the flags file is not valid and is left out: {}", name, e.getMessage());
            }
            return Optional.empty();
        }
    }

    /** The shared-state version that last changed {@code name}; 0 when there is no such flag. */
    long version(String name) {
        return state.versionOf(FlagNames.STATE_PREFIX + name);
    }

    /** Whether this worker already has {@code name} with these values. */
    boolean has(String name, boolean enabled, int rollout) {
        return find(name).map(f -> f.enabled() == enabled && f.rollout() == rollout).orElse(false);
    }
}
