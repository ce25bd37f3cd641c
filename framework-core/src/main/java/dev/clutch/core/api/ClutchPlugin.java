package dev.clutch.core.api;

import java.util.List;

/**
 * A reusable piece of a Clutch application (a Redis client, a metrics exporter, a feature-flag source), found on
 * the classpath through {@link java.util.ServiceLoader}: list the implementation in
 * {@code META-INF/services/dev.clutch.core.api.ClutchPlugin}.
 *
 * <p>A plugin contributes Guice modules to the agent and to every worker; its lifecycle hooks are bound in those
 * modules with {@link Lifecycle#addHook}. Its configuration defaults go in its own {@code reference.conf}, which
 * sits below the application's files. It is on unless {@code clutch.plugins.<name>.enabled = false} (set that in
 * the plugin's {@code reference.conf} to make it opt-in, or in {@code application-<env>.conf} to switch it off in
 * one env).
 *
 * <p>Plugins load in the order their {@link #requires()} give, the application's own modules last, so a plugin's
 * hooks run before the hooks of everything that depends on it (and its {@code beforeClose} after). A plugin that
 * requires one that is missing or switched off, or a cycle of requirements, fails the start naming them.
 *
 * <p>Implementations need a public no-argument constructor.
 */
public interface ClutchPlugin extends ClutchComponent {

    /**
     * The plugin's name: lower case letters, digits and dashes, unique on the classpath; its switch is
     * {@code clutch.plugins.<name>.enabled}.
     */
    String name();

    /** Names of the plugins this one needs, loaded (and started) before it. */
    default List<String> requires() {
        return List.of();
    }
}
