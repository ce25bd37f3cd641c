package dev.clutch.core.spi;

import dev.clutch.core.api.Role;
import dev.clutch.core.message.ClusterReady;
import java.time.Duration;
import java.util.ServiceLoader;

/**
 * The runtime of one child role, found through {@link java.util.ServiceLoader}: {@code framework-agent} provides
 * the agent's, {@code framework-worker} the workers'. Core starts the runtime, reports ready, and stops it.
 */
public interface RoleRuntime {

    Role role();

    /**
     * Starts the role: load the application's modules, run its start-up hooks, open what it serves. Returns when
     * the process is ready; throwing fails the start of the whole cluster.
     */
    void start(ChildContext context) throws Exception;

    /** The process has reported ready to the master. */
    default void ready() throws Exception {
    }

    /** Every process of the cluster is ready. */
    default void clusterReady(ClusterReady cluster) throws Exception {
    }

    /** A message from the master that core does not handle itself (shared state, for instance); on the IPC thread. */
    default void onMessage(Object body) {
    }

    /**
     * A stop came while {@link #start} runs, on another thread: end now any wait the start is in that only the
     * cluster could end (a worker's wait for the agent's state); the start may then throw. {@link #stop} follows
     * once the start has ended.
     */
    default void abandonStart() {
    }

    /** Stops gracefully: finish in-flight work within {@code timeout}, then release everything. */
    void stop(Duration timeout);

    /**
     * A new runtime of {@code role} from the classpath.
     *
     * @throws IllegalStateException naming the module to add when there is none
     */
    static RoleRuntime find(Role role) {
        for (RoleRuntime candidate : ServiceLoader.load(RoleRuntime.class)) {
            if (candidate.role() == role) {
                return candidate;
            }
        }
        throw new IllegalStateException("no Clutch " + role.label() + " runtime on the classpath: add the "
                + "dependency dev.clutch:framework-" + role.label());
    }
}
