package dev.clutch.agent.api;

/**
 * Something the agent watches and publishes as shared state: a file, a database table, a remote config service.
 * Bind implementations with {@code Multibinder.newSetBinder(binder(), StateSource.class)} in an agent module;
 * {@code clutch.state.file} adds the built-in {@link FileStateSource}.
 */
public interface StateSource {

    /** Publishes the current state and starts watching; called before the agent reports ready. */
    void start(SharedState state) throws Exception;

    /** Stops watching; called when the agent stops. */
    default void close() {
    }
}
