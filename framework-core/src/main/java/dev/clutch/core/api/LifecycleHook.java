package dev.clutch.core.api;

/**
 * Start-up and shut-down hooks of one process (agent or worker), called in Egg's order: {@code configDidLoad},
 * {@code didLoad}, {@code willReady}, {@code didReady}, {@code serverDidReady}, and {@code beforeClose} at stop.
 * Bind implementations with {@link Lifecycle#addHook(com.google.inject.Binder)}; they are called in binding order
 * (plugins' hooks first, in plugin order, then the application's) at start, and in reverse order at close. A hook
 * that throws in {@code configDidLoad}, {@code didLoad}, {@code willReady} or {@code didReady} fails the start of
 * the whole cluster, with the hook named in the log; one that throws in {@code serverDidReady} or
 * {@code beforeClose} is logged and the other hooks still run. A hook slower than half a second is logged with its
 * duration.
 */
public interface LifecycleHook {

    /**
     * The configuration is loaded and the injector built: check or derive configuration here, before anything
     * uses it.
     */
    default void configDidLoad() throws Exception {
    }

    /** Every hook has seen the configuration; nothing has started. Register message handlers here. */
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
