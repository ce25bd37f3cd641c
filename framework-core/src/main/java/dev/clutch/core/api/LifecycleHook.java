package dev.clutch.core.api;

/**
 * Start-up and shut-down hooks of one process (agent or worker), called in Egg's order. Bind implementations with
 * {@link Lifecycle#hooks(com.google.inject.Binder)}; they are called in binding order at start and in reverse order
 * at close. A hook that throws during start fails the start of the whole cluster, with the hook named in the log.
 */
public interface LifecycleHook {

    /** The injector is built; nothing has started. */
    default void didLoad() throws Exception {
    }

    /** Last step before the process reports ready; slow work that must finish before serving goes here. */
    default void willReady() throws Exception {
    }

    /** The process has reported ready to the master. */
    default void didReady() throws Exception {
    }

    /** Every process of the cluster is ready ({@code cluster-ready}). */
    default void serverDidReady() throws Exception {
    }

    /** The process is stopping; called in reverse binding order. */
    default void beforeClose() throws Exception {
    }
}
