package dev.clutch.core.config;

import java.util.List;
import java.util.stream.Collectors;

/** The README's table of {@code clutch.*} keys, made from the declarations in {@link ClutchSettings}. */
public final class SettingsTable {

    private SettingsTable() {
    }

    public static String markdown() {
        return "| key | default | env | reload | meaning |\n|---|---|---|---|---|\n" + ClutchSettings.all().stream()
                .map(s -> "| `" + s.key() + "` | `" + render(s.defaultValue()) + "` | "
                        + (s.envVar() == null ? "" : "`" + s.envVar() + "`") + " | " + onReload(s) + " | "
                        + s.description() + " |")
                .collect(Collectors.joining("\n")) + "\n";
    }

    /** Whether a reload applies a new value from the application's files (see {@link ReloadedSettings}). */
    private static String onReload(Setting<?> setting) {
        return switch (setting.onReload()) {
            case RESTART -> "";
            case NEW_AGENT -> "`--agent`";
            case NEW_WORKERS, MASTER -> "yes";
        };
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
