package dev.clutch.core.api.testing;

import com.typesafe.config.Config;
import dev.clutch.core.api.ClutchApplication;
import dev.clutch.core.config.ClutchConfig;
import dev.clutch.core.config.ConfigLoader;
import dev.clutch.core.message.PayloadCodec;
import dev.clutch.core.plugin.PluginSet;

/**
 * The application under test as its processes will see it: its configuration with the test's overrides, its
 * plugins and its payload types, read once in the test's JVM for either mode.
 */
record AppUnderTest(Class<? extends ClutchApplication> type, ClutchConfig config, PluginSet plugins,
                    PayloadCodec payloads) {

    static AppUnderTest load(Class<? extends ClutchApplication> type, String env, Config overrides) {
        ClassLoader loader = type.getClassLoader();
        Config raw = ConfigLoader.load(loader, env, overrides, System.getenv());
        ClutchConfig config = ClutchConfig.of(raw, ClutchConfig.defaultName(type));
        PluginSet plugins = PluginSet.load(loader, raw);
        try {
            ClutchApplication instance = type.getDeclaredConstructor().newInstance();
            return new AppUnderTest(type, config, plugins, PayloadCodec.of(plugins.payloadTypes(instance),
                    config.maxFrameBytes()));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create " + type.getName() + ": " + e, e);
        }
    }
}
