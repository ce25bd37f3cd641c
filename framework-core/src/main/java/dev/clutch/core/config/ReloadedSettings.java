package dev.clutch.core.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.util.List;
import java.util.Objects;

/**
 * How the {@code clutch.*} settings behave when the application's files change under a running instance (a new jar
 * put in place, then {@code reload}): each as its {@link Setting#onReload} says. A setting a role reads as its
 * processes start follows the files: the new processes a reload starts take the new value. The master applies some
 * of its own at once (the limits of supervision). Every other setting holds for the whole cluster from the master's
 * start to its stop, and children get the master's value ({@link #masterLayer}) whatever their files say, so that
 * both ends of an IPC connection, the log directory and every timeout stay in agreement; a new value of one of
 * those waits for a stop and a start, and the reload says so.
 */
public final class ReloadedSettings {

    private ReloadedSettings() {
    }

    /**
     * The master's own settings with the values it runs with: the layer children put above their files. The alarm
     * webhook's URL, which carries its token, is the master's alone: children get it empty.
     */
    public static Config masterLayer(ClutchConfig running) {
        Config layer = ConfigFactory.empty("the master's settings, fixed from its start");
        for (Setting<?> setting : ClutchSettings.all()) {
            if (setting == ClutchSettings.ALARM_WEBHOOK_URL) {
                layer = layer.withValue(setting.key(), ConfigValueFactory.fromAnyRef("",
                        "the master's alone (children raise no alarms)"));
            } else if (setting.onReload() == Setting.OnReload.RESTART
                    || setting.onReload() == Setting.OnReload.MASTER) {
                layer = layer.withValue(setting.key(), running.raw().getValue(setting.key()));
            }
        }
        return layer;
    }

    /** The settings of the kind {@code how} whose value differs between {@code before} and {@code now}. */
    public static List<Setting<?>> changed(Setting.OnReload how, ClutchConfig before, ClutchConfig now) {
        return ClutchSettings.all().stream()
                .filter(s -> s.onReload() == how)
                .filter(s -> !Objects.equals(s.read(before.raw()), s.read(now.raw())))
                .toList();
    }

    /** {@code clutch.http.requestTimeout = 20s (application.conf, line 3)}: the value and where it was set. */
    public static String describe(Setting<?> setting, ClutchConfig config) {
        return setting.describe(config.raw());
    }

    /** The value as it was written, {@code 30s} rather than a duration's parts; {@code ""} for an empty one. */
    public static Object value(Setting<?> setting, ClutchConfig config) {
        Object value = config.raw().getValue(setting.key()).unwrapped();
        return "".equals(value) ? "\"\"" : setting.shown(value);
    }
}
