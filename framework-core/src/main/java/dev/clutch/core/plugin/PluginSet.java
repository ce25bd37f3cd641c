package dev.clutch.core.plugin;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.clutch.core.api.ClutchApplication;
import dev.clutch.core.api.ClutchComponent;
import dev.clutch.core.api.ClutchPlugin;
import dev.clutch.core.api.PayloadType;
import dev.clutch.core.config.ClutchConfig;
import dev.clutch.core.config.ConfigurationException;
import dev.clutch.core.config.ConfigLoader;
import dev.clutch.core.config.EnvName;
import dev.clutch.core.config.Origins;
import dev.clutch.core.config.UnknownKeys;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;

/**
 * The plugins of this application: every {@link ClutchPlugin} on the classpath, less the ones switched off by
 * {@code clutch.plugins.<name>.enabled}, in an order where each comes after the plugins it requires. The master
 * resolves them before it forks anything (so a bad set fails the start at once) and every child resolves the same
 * set from the same classpath and configuration.
 */
public final class PluginSet {

    /** Where each plugin's switch lives. */
    public static final String KEY_PREFIX = "clutch.plugins.";
    private static final Pattern NAME = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

    private final List<ClutchPlugin> enabled;
    private final List<String> disabled;
    /** Plugins that cannot be loaded reported at most: past it the service files are beyond repair. */
    private static final int MAX_LOAD_FAILURES = 20;

    private PluginSet(List<ClutchPlugin> enabled, List<String> disabled) {
        this.enabled = List.copyOf(enabled);
        this.disabled = List.copyOf(disabled);
    }

    /**
     * Finds the plugins on {@code classLoader}'s classpath and orders the enabled ones.
     *
     * @throws ConfigurationException listing every problem: a plugin that cannot be loaded, a bad or duplicate
     *     name, a bad switch, a requirement missing or switched off, a cycle
     */
    public static PluginSet load(ClassLoader classLoader, Config config) {
        List<ClutchPlugin> found = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Iterator<ClutchPlugin> plugins = ServiceLoader.load(ClutchPlugin.class, classLoader).iterator();
        // One plugin that cannot be loaded must not hide the others (and their problems): the loader goes on to
        // the next provider after an error, as far as it can.
        for (int failures = 0; ; ) {
            try {
                if (!plugins.hasNext()) {
                    break;
                }
                found.add(plugins.next());
            } catch (ServiceConfigurationError e) {
                String problem = "a plugin listed in META-INF/services/" + ClutchPlugin.class.getName()
                        + " cannot be loaded: " + e.getMessage() + (e.getCause() == null ? ""
                        : " (" + e.getCause() + ")");
                // The same error twice: the loader cannot get past it (the service files cannot be read at all).
                boolean stuck = problems.contains(problem);
                if (!stuck) {
                    problems.add(problem);
                }
                if (stuck || ++failures == MAX_LOAD_FAILURES) {
                    int last = problems.size() - 1;
                    problems.set(last, problems.get(last) + " (the plugins listed after it, if any, were not "
                            + "looked at)");
                    break;
                }
            }
        }
        return resolve(found, config, problems);
    }

    /**
     * Checks the plugin switches ({@code clutch.plugins.<name>.enabled}) in {@code config} alone, without looking for
     * the plugins: what a reload can check in the files on disk before it replaces anything.
     *
     * @throws ConfigurationException naming each switch that is not true or false, with its file and line
     */
    public static void checkSwitches(Config config) {
        String plugins = KEY_PREFIX.substring(0, KEY_PREFIX.length() - 1);
        List<String> problems = new ArrayList<>();
        try {
            if (config.hasPath(plugins)) {
                for (String name : config.getObject(plugins).keySet()) {
                    if (NAME.matcher(name).matches()) {
                        isEnabled(name, config, problems);
                    }
                }
            }
        } catch (ConfigException e) {
            problems.add(plugins + " must be an object of plugin names (" + Origins.describe(
                    config.getValue(plugins).origin()) + ")");
        }
        if (!problems.isEmpty()) {
            throw new ConfigurationException(problems);
        }
    }

    /** Orders {@code found} as {@link #load} does; for plugins found some other way. */
    public static PluginSet resolve(List<ClutchPlugin> found, Config config) {
        return resolve(found, config, new ArrayList<>());
    }

    private static PluginSet resolve(List<ClutchPlugin> found, Config config, List<String> problems) {
        Map<String, ClutchPlugin> byName = new LinkedHashMap<>();
        List<ClutchPlugin> sorted = new ArrayList<>(found);
        // Plugins that do not depend on each other start in name order, whatever the classpath order.
        sorted.sort(Comparator.comparing(p -> String.valueOf(p.name())));
        for (ClutchPlugin plugin : sorted) {
            String name = plugin.name();
            if (name == null || !NAME.matcher(name).matches()) {
                problems.add("plugin " + plugin.getClass().getName() + " has the name '" + name + "': use lower "
                        + "case letters, digits and dashes, e.g. 'redis-cache'");
            } else if (byName.containsKey(name)) {
                problems.add("two plugins are named '" + name + "': " + byName.get(name).getClass().getName()
                        + " and " + plugin.getClass().getName() + "; remove one from the classpath");
            } else {
                byName.put(name, plugin);
            }
        }
        Map<String, ClutchPlugin> on = new LinkedHashMap<>();
        List<String> off = new ArrayList<>();
        for (ClutchPlugin plugin : byName.values()) {
            if (isEnabled(plugin.name(), config, problems)) {
                on.put(plugin.name(), plugin);
            } else {
                off.add(plugin.name());
            }
        }
        for (ClutchPlugin plugin : on.values()) {
            for (String required : plugin.requires()) {
                if (!byName.containsKey(required)) {
                    problems.add("plugin '" + plugin.name() + "' requires plugin '" + required + "', which is not "
                            + "on the classpath: add its dependency, or switch '" + plugin.name() + "' off with "
                            + KEY_PREFIX + plugin.name() + ".enabled = false");
                } else if (!on.containsKey(required)) {
                    problems.add("plugin '" + plugin.name() + "' requires plugin '" + required + "', which is "
                            + "switched off (" + switchOrigin(required, config) + "): switch it on, or switch '"
                            + plugin.name() + "' off too");
                }
            }
        }
        List<ClutchPlugin> ordered = new ArrayList<>();
        if (problems.isEmpty()) {
            Set<String> done = new LinkedHashSet<>();
            for (ClutchPlugin plugin : on.values()) {
                visit(plugin, on, done, new ArrayList<>(), ordered, problems);
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigurationException(problems);
        }
        return new PluginSet(ordered, off);
    }

    /** Depth-first: requirements first; a plugin met again on the current path closes a cycle. */
    private static void visit(ClutchPlugin plugin, Map<String, ClutchPlugin> on, Set<String> done,
                              List<String> path, List<ClutchPlugin> ordered, List<String> problems) {
        if (done.contains(plugin.name())) {
            return;
        }
        int seen = path.indexOf(plugin.name());
        if (seen >= 0) {
            List<String> cycle = new ArrayList<>(path.subList(seen, path.size()));
            cycle.add(plugin.name());
            String message = "plugins require each other in a cycle: " + String.join(" → ", cycle)
                    + "; remove one of these requirements";
            if (!problems.contains(message)) {
                problems.add(message);
            }
            return;
        }
        path.add(plugin.name());
        plugin.requires().stream().sorted().forEach(r -> visit(on.get(r), on, done, path, ordered, problems));
        path.remove(path.size() - 1);
        if (done.add(plugin.name())) {
            ordered.add(plugin);
        }
    }

    private static boolean isEnabled(String name, Config config, List<String> problems) {
        String key = KEY_PREFIX + name + ".enabled";
        try {
            return !config.hasPath(key) || config.getBoolean(key);
        } catch (ConfigException e) {
            problems.add(key + " must be true or false (" + Origins.describe(config.getValue(key).origin()) + ")");
            return false;
        }
    }

    private static String switchOrigin(String name, Config config) {
        String key = KEY_PREFIX + name + ".enabled";
        return key + " = false in " + Origins.describe(config.getValue(key).origin());
    }

    /** The enabled plugins, each after the ones it requires. */
    public List<ClutchPlugin> enabled() {
        return enabled;
    }

    /** The enabled plugins in order, then the application: what each process loads, in that order. */
    public List<ClutchComponent> components(ClutchApplication application) {
        List<ClutchComponent> components = new ArrayList<>(enabled);
        components.add(application);
        return components;
    }

    /** The payload types of the enabled plugins, then the application's. */
    public List<PayloadType> payloadTypes(ClutchApplication application) {
        return components(application).stream().flatMap(c -> c.payloadTypes().stream()).toList();
    }

    /** Every plugin on the classpath, enabled or not. */
    public List<String> names() {
        List<String> names = new ArrayList<>(enabled.stream().map(ClutchPlugin::name).toList());
        names.addAll(disabled);
        return names;
    }

    /** Names of the plugins on the classpath that are switched off. */
    public List<String> disabled() {
        return disabled;
    }

    /** A log line: {@code plugins: metrics, audit (off: tracing)}. */
    public String describe() {
        String on = enabled.isEmpty() ? "none" : String.join(", ", enabled.stream().map(ClutchPlugin::name).toList());
        return "plugins: " + on + (disabled.isEmpty() ? "" : " (off: " + String.join(", ", disabled) + ")");
    }

    /**
     * Logs what a start runs: these plugins and the env, then a warning for an env without its own file and for
     * each {@code clutch.*} setting that nothing reads (typos, most likely). Every start logs it, a cluster's
     * master and single-process mode alike.
     *
     * @param classLoader the one the configuration was loaded from
     */
    public void logStart(ClutchConfig config, ClassLoader classLoader, Logger log) {
        log.info("{}, env {}", describe(), config.env());
        warnAbout(config, classLoader, log);
    }

    /** What looks like a mistake in {@code config}: an env without its file, keys no one reads. */
    public void warnAbout(ClutchConfig config, ClassLoader classLoader, Logger log) {
        EnvName.withoutItsFile(config.env(), classLoader).ifPresent(log::warn);
        ConfigLoader.envSetInFiles(classLoader, config.env()).ifPresent(log::warn);
        UnknownKeys.find(config.raw(), names()).forEach(log::warn);
    }
}
