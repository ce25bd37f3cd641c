package dev.clutch.core.master;

import dev.clutch.core.config.ClutchConfig;
import dev.clutch.core.ipc.ChildConnection;
import dev.clutch.core.ipc.IpcTransport;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;

/**
 * How the master shares the HTTP port with its workers ({@code clutch.cluster.schedulingPolicy}). The master binds
 * (or probes) the port before any child starts, so a port in use fails the start at once. Called on the master's
 * thread, except where an implementation says otherwise.
 */
public interface PortSharing extends AutoCloseable {

    /** Opens the port for {@code config}'s policy. */
    static PortSharing open(ClutchConfig config, IpcTransport transport, EventLoopGroup group) throws IOException {
        return switch (config.schedulingPolicy()) {
            case NONE -> SharedListener.bind(transport, group, config);
            case RR -> RoundRobinHandoff.bind(transport, group, config);
            case REUSEPORT -> ReusePortProbe.probe(transport, group, config);
        };
    }

    /** The port the cluster serves on (the one picked, when the configured port is 0). */
    int port();

    String host();

    default String url() {
        return ReadyLine.url(host(), port());
    }

    /**
     * The cluster stops for good: the port takes no new connection from now on, so the kernel refuses them and a
     * client or load balancer goes elsewhere at once, and connections the master holds get a 503. Connections the
     * workers took are served to the end.
     */
    default void stopAccepting() {
        close();
    }

    /** A worker opened its descriptor connection. */
    default void descriptorsConnected(long pid, ChildConnection descriptors) {
    }

    /** A worker reported ready: it may get connections from now on. */
    default void workerReady(long pid) {
    }

    /**
     * A worker whose heartbeats are late gets no new connections until one comes ({@code silent} false again), where
     * the policy decides who gets them.
     */
    default void workerSilent(long pid, boolean silent) {
    }

    /** A worker is stopping or gone: it gets no more connections. */
    default void workerLeaving(long pid) {
    }

    /** A worker has exited: forget it. */
    default void workerExited(long pid) {
        workerLeaving(pid);
    }

    /** A worker has taken {@code total} of the connections handed to it so far. */
    default void taken(long pid, long total) {
    }

    /** Connections handed to the worker that it has not taken yet (0 once it is gone). */
    default long untaken(long pid) {
        return 0;
    }

    /** Whether every connection handed to the worker has been taken, so it may stop without losing one. */
    default boolean allTaken(long pid) {
        return untaken(pid) == 0;
    }

    @Override
    void close();
}
