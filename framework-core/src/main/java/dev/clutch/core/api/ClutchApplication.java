package dev.clutch.core.api;

import com.google.inject.Module;
import java.util.List;

/**
 * A Clutch application: what each role loads. The class implementing it is also the program's entry point, whose
 * {@code main} calls {@link Clutch#run(Class, String...)}; the framework starts the same class in every process
 * and decides the role.
 *
 * <pre>{@code
 * public final class FlagsApp implements ClutchApplication {
 *     public static void main(String[] args) { Clutch.run(FlagsApp.class, args); }
 *
 *     public List<Module> agentModules() { return List.of(new FlagSourceModule()); }
 *     public List<Module> workerModules() { return List.of(new FlagRoutesModule()); }
 * }
 * }</pre>
 *
 * <p>Implementations need a public no-argument constructor.
 */
public interface ClutchApplication {

    /** The Guice modules of the agent process. */
    default List<Module> agentModules() {
        return List.of();
    }

    /** The Guice modules of every worker process. */
    default List<Module> workerModules() {
        return List.of();
    }

    /**
     * The application's own types that travel in {@link Messenger} messages, each with a fixed ID of 1000 or more,
     * the same in every process: {@code List.of(PayloadType.of(1001, FlagChange.class))}.
     */
    default List<PayloadType> payloadTypes() {
        return List.of();
    }

    /** Classes with {@link Scheduled} methods; the agent triggers them, each in the process it names. */
    default List<Class<?>> scheduled() {
        return List.of();
    }
}
