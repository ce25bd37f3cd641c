package dev.clutch.core.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds {@code clutch.*} keys that nothing reads, most often typos ({@code clutch.workrs}), and names the closest
 * key that exists. They are warnings, not errors: a key of a newer Clutch version must not stop an older one.
 */
public final class UnknownKeys {

    private static final String PLUGINS = "clutch.plugins.";

    private UnknownKeys() {
    }

    /**
     * @param pluginNames the plugins on the classpath, whose {@code clutch.plugins.<name>.enabled} keys are known
     * @return one line per unknown key: the key, where it was set, and the closest known key
     */
    public static List<String> find(Config config, Collection<String> pluginNames) {
        if (!config.hasPath("clutch")) {
            return List.of();
        }
        Set<String> known = new TreeSet<>();
        ClutchSettings.all().forEach(s -> known.add(s.key()));
        pluginNames.forEach(name -> known.add(PLUGINS + name + ".enabled"));
        List<String> warnings = new ArrayList<>();
        for (Map.Entry<String, ConfigValue> entry : config.getConfig("clutch").entrySet()) {
            // A list given item by item (-Dclutch.worker.jvmArgs.0=...) is the list's own key.
            String key = "clutch." + entry.getKey().replaceAll("(\\.\\d+)+$", "");
            if (known.contains(key)) {
                continue;
            }
            String warning = "unknown configuration key " + key + " (" + Origins.describe(entry.getValue().origin())
                    + "): Clutch does not read it";
            String closest = closest(key, known);
            warnings.add(closest == null ? warning : warning + "; did you mean " + closest + "?");
        }
        return warnings;
    }

    /** The known key nearest by edit distance, if it is near enough to be the one meant. */
    private static String closest(String key, Set<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int distance = distance(key, candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return bestDistance <= Math.max(2, key.length() / 4) ? best : null;
    }

    /** Levenshtein distance, case-insensitive (a wrongly cased key is still a typo). */
    static int distance(String a, String b) {
        String x = a.toLowerCase(java.util.Locale.ROOT);
        String y = b.toLowerCase(java.util.Locale.ROOT);
        int[] previous = new int[y.length() + 1];
        int[] current = new int[y.length() + 1];
        for (int j = 0; j <= y.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= x.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= y.length(); j++) {
                int substitution = previous[j - 1] + (x.charAt(i - 1) == y.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[y.length()];
    }
}
