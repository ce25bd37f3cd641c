package dev.clutch.core.config;

import java.util.List;
import java.util.stream.Collectors;

/** The README's table of {@code clutch.*} keys, made from the declarations in {@link ClutchSettings}. */
public final class SettingsTable {

    private SettingsTable() {
    }

    public static String markdown() {
        return "| key | default | env | meaning |\n|---|---|---|---|\n" + ClutchSettings.all().stream()
                .map(s -> "| `" + s.key() + "` | `" + render(s.defaultValue()) + "` | "
                        + (s.envVar() == null ? "" : "`" + s.envVar() + "`") + " | " + s.description() + " |")
                .collect(Collectors.joining("\n")) + "\n";
    }

    private static String render(Object value) {
        if (value instanceof String text) {
            return text.isEmpty() ? "\"\"" : text;
        }
        if (value instanceof List<?> list) {
            return list.toString();
        }
        return String.valueOf(value);
    }
}
