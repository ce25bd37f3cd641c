package dev.clutch.core.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import dev.clutch.core.logging.Redaction;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * One {@code clutch.*} key, declared once: its default, the environment variable that overrides it (if any), how a
 * value is read and checked, and what it means. {@link ClutchSettings} holds them all; the defaults layer and the
 * README's key table are made from these declarations.
 *
 * @param <T> the type application code reads
 */
public final class Setting<T> {

    /** Reads a value; throws {@link IllegalArgumentException} saying what is allowed when it is not. */
    @FunctionalInterface
    interface Reader<T> {
        T read(Config config, String key);
    }

    private final String key;
    private final Object defaultValue;
    private final String envVar;
    private final String description;
    private final Reader<T> reader;
    private final OnReload onReload;
    /** How messages and logs show a value: as it is, or without what may be secret. */
    private final UnaryOperator<String> shown;

    /** What a reload does with a new value of a setting in the application's files (see {@link ReloadedSettings}). */
    public enum OnReload {
        /** Nothing: the master's setting holds from its start to its stop, and its children get its value. */
        RESTART,
        /** Read by each worker as it starts, or by the master as it launches one: the reload's new workers take it. */
        NEW_WORKERS,
        /** Read by the agent as it starts, or by the master as it launches it: a new agent takes it. */
        NEW_AGENT,
        /** The master's, read each time it decides: the reload applies it at once. */
        MASTER
    }

    private Setting(String key, Object defaultValue, String envVar, String description, Reader<T> reader,
                    OnReload onReload) {
        this(key, defaultValue, envVar, description, reader, onReload, UnaryOperator.identity());
    }

    private Setting(String key, Object defaultValue, String envVar, String description, Reader<T> reader,
                    OnReload onReload, UnaryOperator<String> shown) {
        this.shown = shown;
        this.key = key;
        this.defaultValue = defaultValue;
        this.envVar = envVar;
        this.description = description;
        this.reader = reader;
        this.onReload = onReload;
    }

    private Setting(String key, Object defaultValue, String envVar, String description, Reader<T> reader) {
        this(key, defaultValue, envVar, description, reader, OnReload.RESTART);
    }

    static Setting<String> string(String key, String defaultValue, String description) {
        return new Setting<>(key, defaultValue, null, description, Config::getString);
    }

    static Setting<Integer> integer(String key, int defaultValue, int min, int max, String description) {
        return new Setting<>(key, defaultValue, null, description, (config, k) -> {
            Number number;
            try {
                number = config.getNumber(k);
            } catch (ConfigException.WrongType e) {
                throw new IllegalArgumentException("must be a whole number between " + min + " and " + max);
            }
            // getInt would cut 1.5 to 1 without a word.
            if (number.doubleValue() != Math.rint(number.doubleValue())) {
                throw new IllegalArgumentException("must be a whole number between " + min + " and " + max
                        + ", not " + number);
            }
            long value = number.longValue();
            if (value < min || value > max) {
                throw new IllegalArgumentException("must be between " + min + " and " + max);
            }
            return (int) value;
        });
    }

    /** The longest duration a setting takes. */
    static final Duration MAX_DURATION = Duration.ofDays(365);

    static Setting<Duration> duration(String key, String defaultValue, Duration min, String description) {
        return new Setting<>(key, defaultValue, null, description, (config, k) -> {
            Duration value;
            try {
                value = config.getDuration(k);
            } catch (ConfigException.BadValue e) {
                value = Duration.ofNanos(-1);
            }
            if (value.compareTo(min) < 0) {
                throw new IllegalArgumentException("must be a duration of at least " + min.toMillis() + " ms, "
                        + "for example \"5s\" or \"500ms\"");
            }
            if (value.compareTo(MAX_DURATION) > 0) {
                // Far past any sensible timeout, and past what deadlines in nanoseconds can hold.
                throw new IllegalArgumentException("must be a duration of at most " + MAX_DURATION.toDays()
                        + " days");
            }
            String number = withoutUnit(config, k);
            if (number != null && !value.isZero()) {
                throw new IllegalArgumentException(UnitlessDuration.problem(number));
            }
            return value;
        });
    }

    static Setting<Long> bytes(String key, String defaultValue, long min, long max, String description) {
        return new Setting<>(key, defaultValue, null, description, (config, k) -> {
            long value;
            try {
                value = config.getBytes(k);
            } catch (ConfigException.BadValue e) {
                value = -1;
            }
            if (value < min || value > max) {
                throw new IllegalArgumentException("must be a size between " + min + " and " + max
                        + " bytes, for example \"16MiB\"");
            }
            String number = withoutUnit(config, k);
            if (number != null && value > 0 && value < 1024) {
                // "maxMemory = 512" is 512 bytes, surely not what was meant; a large byte count may well be.
                throw new IllegalArgumentException("has no unit, which would make it " + number + " bytes: write "
                        + "the unit, for example \"" + number + "MiB\"");
            }
            return value;
        });
    }

    /** The value as written when it is a bare number (no unit), or null. */
    private static String withoutUnit(Config config, String key) {
        return UnitlessDuration.numberOf(config.getValue(key).unwrapped());
    }

    static Setting<String> oneOf(String key, String defaultValue, Set<String> allowed, String description) {
        return new Setting<>(key, defaultValue, null, description, (config, k) -> {
            String value = config.getString(k).toLowerCase(Locale.ROOT);
            if (!allowed.contains(value)) {
                throw new IllegalArgumentException("must be one of " + String.join(", ", allowed.stream().sorted()
                        .toList()));
            }
            return value;
        });
    }

    /**
     * An http or https URL, or empty for none; shown in messages and logs without its path, query and user part,
     * where webhooks carry their token.
     */
    static Setting<String> secretUrl(String key, String description) {
        return new Setting<>(key, "", null, description, (config, k) -> {
            String value = config.getString(k);
            if (!value.isBlank()) {
                URI uri;
                try {
                    uri = new URI(value);
                } catch (URISyntaxException e) {
                    throw new IllegalArgumentException("must be an http or https URL (" + e.getReason() + ")");
                }
                String scheme = String.valueOf(uri.getScheme()).toLowerCase(Locale.ROOT);
                if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
                    throw new IllegalArgumentException("must be an http or https URL with a host, for example "
                            + "\"https://alerts.example.com/hooks/clutch\"");
                }
            }
            return value;
        }, OnReload.RESTART, Redaction::url);
    }

    static Setting<Boolean> bool(String key, boolean defaultValue, String description) {
        return new Setting<>(key, defaultValue, null, description, (config, k) -> {
            try {
                return config.getBoolean(k);
            } catch (ConfigException.WrongType e) {
                throw new IllegalArgumentException("must be true or false");
            }
        });
    }

    static Setting<List<String>> stringList(String key, List<String> defaultValue, String description) {
        return new Setting<>(key, defaultValue, null, description, Config::getStringList);
    }

    /** The same setting, also overridden by the environment variable {@code name}. */
    Setting<T> withEnv(String name) {
        return new Setting<>(key, defaultValue, name, description, reader, onReload, shown);
    }

    /** The same setting, which a reload applies as {@code how} says; {@link OnReload#RESTART} unless declared. */
    Setting<T> onReload(OnReload how) {
        return new Setting<>(key, defaultValue, envVar, description, reader, how, shown);
    }

    /** {@code value}, one of this setting's, as messages and logs may show it. */
    public String shown(Object value) {
        String text = String.valueOf(value);
        return text.isEmpty() ? text : shown.apply(text);
    }

    public String key() {
        return key;
    }

    public Object defaultValue() {
        return defaultValue;
    }

    /** The environment variable that overrides this key, or {@code null}. */
    public String envVar() {
        return envVar;
    }

    public String description() {
        return description;
    }

    /** What a reload does with a new value of this setting in the application's files. */
    public OnReload onReload() {
        return onReload;
    }

    /**
     * Reads this setting from a resolved config.
     *
     * @throws InvalidSettingException naming the key, where its value came from and what is allowed
     */
    public T read(Config config) {
        try {
            return reader.read(config, key);
        } catch (ConfigException.Null e) {
            // `key = null` in a file: a HOCON value, but none of ours.
            throw new InvalidSettingException(this, key + " = null" + (e.origin() != null ? " ("
                    + Origins.describe(e.origin()) + ")" : ""), "must not be null; remove the line to get the default");
        } catch (ConfigException.WrongType | ConfigException.BadValue | IllegalArgumentException e) {
            throw new InvalidSettingException(this, describe(config), why(e));
        }
    }

    /** The key, its value and where it was set, as error messages name it. */
    String describe(Config config) {
        if (!config.hasPath(key)) {
            return key + " (missing)";
        }
        ConfigValue value = config.getValue(key);
        return key + " = " + shown(value.unwrapped()) + " (" + Origins.describe(value.origin()) + ")";
    }

    private static String why(RuntimeException e) {
        if (e instanceof IllegalArgumentException) {
            return e.getMessage();
        }
        String message = e.getMessage();
        int colon = message.lastIndexOf(": ");
        return colon >= 0 ? message.substring(colon + 2) : message;
    }
}
