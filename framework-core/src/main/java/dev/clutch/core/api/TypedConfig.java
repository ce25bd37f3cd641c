package dev.clutch.core.api;

import com.google.inject.Binder;
import com.google.inject.Provider;
import com.google.inject.Singleton;
import com.typesafe.config.Config;
import dev.clutch.core.config.ConfigMapper;
import jakarta.inject.Inject;

/**
 * Typed access to the application's own configuration. A record (or JavaBean) mirrors one object of the
 * configuration, each component read by its name and type:
 *
 * <pre>{@code
 * // application.conf:  flags { file = "flags.conf", staleAfter = 7d, maxRollout = 100 }
 * public record FlagSettings(String file, Duration staleAfter, int maxRollout) {
 *     public FlagSettings {
 *         if (maxRollout < 0 || maxRollout > 100) {
 *             throw new IllegalArgumentException("maxRollout must be 0..100, not " + maxRollout);
 *         }
 *     }
 * }
 *
 * // in a module:  TypedConfig.bind(binder(), "flags", FlagSettings.class);
 * // then:         @Inject FlagSettings settings
 * }</pre>
 *
 * <p>Supported component types: {@code String}, {@code boolean}, {@code int}, {@code long}, {@code double} (and
 * their boxes), {@link java.time.Duration}, {@link com.typesafe.config.ConfigMemorySize}, enums (by name, any
 * case), nested records, {@code List} and {@code Map<String, ?>} of those, {@code Optional} of those for keys that
 * may be absent, and {@link Config} for a raw sub-tree. A missing key, a value of the wrong type, or a constructor
 * that refuses the values fails the start of the process with the key, its file and line, and what is allowed.
 */
public final class TypedConfig {

    private TypedConfig() {
    }

    /**
     * Binds {@code type}, read from the configuration at {@code path}, as a singleton; in a production injector it
     * is read (and checked) while the process starts.
     */
    public static <T> void bind(Binder binder, String path, Class<T> type) {
        binder.bind(type).toProvider(new Reader<>(path, type)).in(Singleton.class);
    }

    /**
     * Reads {@code type} from {@code config} at {@code path}.
     *
     * @throws IllegalArgumentException naming the key, its origin and what is allowed
     */
    public static <T> T read(Config config, String path, Class<T> type) {
        return ConfigMapper.read(config, path, type);
    }

    private static final class Reader<T> implements Provider<T> {
        private final String path;
        private final Class<T> type;
        @Inject
        private Config config;

        Reader(String path, Class<T> type) {
            this.path = path;
            this.type = type;
        }

        @Override
        public T get() {
            return read(config, path, type);
        }
    }
}
