package dev.clutch.core.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigBeanFactory;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigMemorySize;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Maps a configuration object onto a record, component by component (JavaBeans go to Typesafe's
 * {@link ConfigBeanFactory}). Every error names the key, where its value came from and what was expected.
 */
public final class ConfigMapper {

    private ConfigMapper() {
    }

    /** See {@link dev.clutch.core.api.TypedConfig#read}. */
    public static <T> T read(Config config, String path, Class<T> type) {
        if (!config.hasPath(path)) {
            throw new IllegalArgumentException("configuration key " + path + " is missing: "
                    + type.getSimpleName() + " is read from it; add it to application.conf");
        }
        try {
            @SuppressWarnings("unchecked") // a primitive type's value comes boxed
            T value = (T) value(config, path, type, type);
            return value;
        } catch (ConfigException e) {
            throw new IllegalArgumentException("bad configuration for " + type.getSimpleName() + ": "
                    + Origins.editable(e.getMessage()), e);
        }
    }

    private static Object value(Config config, String path, Class<?> raw, Type generic) {
        if (raw == String.class) {
            return config.getString(path);
        } else if (raw == boolean.class || raw == Boolean.class) {
            return config.getBoolean(path);
        } else if (raw == int.class || raw == Integer.class) {
            requireWholeNumber(config, path);
            return config.getInt(path);
        } else if (raw == long.class || raw == Long.class) {
            requireWholeNumber(config, path);
            return config.getLong(path);
        } else if (raw == double.class || raw == Double.class) {
            return config.getDouble(path);
        } else if (raw == Duration.class) {
            Duration duration = config.getDuration(path);
            String number = UnitlessDuration.numberOf(config.getValue(path).unwrapped());
            if (number != null && !duration.isZero()) {
                throw new ConfigException.BadValue(config.getValue(path).origin(), path,
                        UnitlessDuration.problem(number));
            }
            return duration;
        } else if (raw == ConfigMemorySize.class) {
            return config.getMemorySize(path);
        } else if (raw == Config.class) {
            return config.getConfig(path);
        } else if (raw.isEnum()) {
            return enumValue(config, path, raw);
        } else if (raw == List.class) {
            return list(config, path, typeArgument(generic, 0, path));
        } else if (raw == Map.class) {
            return map(config, path, typeArgument(generic, 1, path));
        } else if (raw.isRecord()) {
            return record(config, path, raw);
        } else {
            return ConfigBeanFactory.create(config.getConfig(path), raw);
        }
    }

    /**
     * Where each of the record's values was set: the record refuses their combination, and the object's own
     * origin is a merge of every layer that touched it ({@code merge of system properties,application.conf}).
     */
    private static String whereSet(Config config, String path, RecordComponent[] components) {
        List<String> places = new ArrayList<>();
        for (RecordComponent component : components) {
            String key = path + "." + ConfigUtil.joinPath(component.getName());
            if (config.hasPath(key)) {
                places.add(component.getName() + " from " + Origins.describe(config.getValue(key).origin()));
            }
        }
        return String.join(", ", places);
    }

    /** Typesafe Config would read 1.5 as 1 for an int: a value that loses part of itself is refused instead. */
    private static void requireWholeNumber(Config config, String path) {
        Number number = config.getNumber(path);
        if ((number instanceof Double || number instanceof Float) && number.doubleValue() != Math.rint(
                number.doubleValue())) {
            throw new ConfigException.BadValue(config.getValue(path).origin(), path, "must be a whole number, not "
                    + number);
        }
    }

    /**
     * Keys of the record's object that are no component of it but nearly the name of one: a typo, which would
     * otherwise leave an {@code Optional} empty, or a required component missing, without a word.
     */
    private static void refuseTypos(Config config, String path, RecordComponent[] components) {
        Set<String> names = new HashSet<>();
        for (RecordComponent component : components) {
            names.add(component.getName());
        }
        for (String key : config.getConfig(path).root().keySet()) {
            String meant = names.contains(key) ? null : oneLetterOff(key, names);
            if (meant != null && !config.hasPath(path + "." + ConfigUtil.joinPath(meant))) {
                String full = path + "." + ConfigUtil.joinPath(key);
                throw new ConfigException.BadValue(config.getValue(full).origin(), full, "is no setting of "
                        + path + " (did you mean " + meant + "?)");
            }
        }
    }

    /**
     * The component name {@code key} is one letter off, if any: near enough to be sure it is a typo and to fail
     * the start for it, where the warnings for {@code clutch.*} keys may guess wider. Short names are left out:
     * {@code id} and {@code ip} may both be meant.
     */
    private static String oneLetterOff(String key, Set<String> names) {
        if (key.length() < 4) {
            return null;
        }
        return names.stream().filter(name -> UnknownKeys.distance(key, name) == 1).findFirst().orElse(null);
    }

    /** Reads each component from the whole config, so errors carry the full path of the key. */
    private static Object record(Config config, String path, Class<?> type) {
        ConfigValue origin = config.getValue(path);
        config.getConfig(path);
        RecordComponent[] components = type.getRecordComponents();
        refuseTypos(config, path, components);
        Object[] values = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            RecordComponent component = components[i];
            types[i] = component.getType();
            String key = path + "." + ConfigUtil.joinPath(component.getName());
            if (component.getType() == Optional.class) {
                Type inner = typeArgument(component.getGenericType(), 0, key);
                values[i] = config.hasPath(key)
                        ? Optional.of(value(config, key, rawClass(inner), inner))
                        : Optional.empty();
            } else if (!config.hasPath(key)) {
                throw new ConfigException.Missing(origin.origin(), key);
            } else {
                values[i] = value(config, key, component.getType(), component.getGenericType());
            }
        }
        try {
            Constructor<?> constructor = type.getDeclaredConstructor(types);
            constructor.setAccessible(true);
            return constructor.newInstance(values);
        } catch (InvocationTargetException e) {
            throw new ConfigException.BadValue(origin.origin(), path, e.getCause().getMessage() + " ("
                    + whereSet(config, path, components) + ")", e.getCause());
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException(type.getName() + " cannot be created from configuration: " + e, e);
        }
    }

    private static Object enumValue(Config config, String path, Class<?> type) {
        String name = config.getString(path);
        for (Object constant : type.getEnumConstants()) {
            if (((Enum<?>) constant).name().equalsIgnoreCase(name)) {
                return constant;
            }
        }
        List<String> allowed = new ArrayList<>();
        for (Object constant : type.getEnumConstants()) {
            allowed.add(((Enum<?>) constant).name().toLowerCase(Locale.ROOT));
        }
        throw new ConfigException.BadValue(config.getValue(path).origin(), path, "'" + name + "' is not one of "
                + allowed);
    }

    private static List<Object> list(Config config, String path, Type element) {
        List<? extends ConfigValue> items = config.getList(path);
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            // Each item is read through a one-key config, so it gets the same conversions and errors.
            Config item = items.get(i).atKey("item");
            try {
                values.add(value(item, "item", rawClass(element), element));
            } catch (ConfigException e) {
                throw new ConfigException.BadValue(items.get(i).origin(), path + "[" + i + "]", e.getMessage(), e);
            }
        }
        return List.copyOf(values);
    }

    private static Map<String, Object> map(Config config, String path, Type valueType) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (String key : config.getConfig(path).root().keySet()) {
            values.put(key, value(config, path + "." + ConfigUtil.joinPath(key), rawClass(valueType), valueType));
        }
        return Map.copyOf(values);
    }

    private static Type typeArgument(Type generic, int index, String path) {
        if (generic instanceof ParameterizedType parameterized) {
            return parameterized.getActualTypeArguments()[index];
        }
        throw new IllegalStateException(path + ": give the element type of the List, Map or Optional");
    }

    private static Class<?> rawClass(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        throw new IllegalStateException("unsupported configuration type " + type);
    }
}
