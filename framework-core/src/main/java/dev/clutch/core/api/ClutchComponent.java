package dev.clutch.core.api;

import com.google.inject.Module;
import java.util.List;

/**
 * What an application ({@link ClutchApplication}) or a plugin ({@link ClutchPlugin}) brings to each process:
 * Guice modules per role, the types its messages carry, and its scheduled classes.
 */
public interface ClutchComponent {

    /** The Guice modules of the agent process. */
    default List<Module> agentModules() {
        return List.of();
    }

    /** The Guice modules of every worker process. */
    default List<Module> workerModules() {
        return List.of();
    }

    /**
     * The types that travel in {@link Messenger} messages (and shared state), each with a fixed ID of 1000 or more,
     * the same in every process and unique across the application and its plugins:
     * {@code List.of(PayloadType.of(1001, FlagChange.class))}.
     */
    default List<PayloadType> payloadTypes() {
        return List.of();
    }

    /** Classes with {@link Scheduled} methods; the agent triggers them, each in the process it names. */
    default List<Class<?>> scheduled() {
        return List.of();
    }
}
