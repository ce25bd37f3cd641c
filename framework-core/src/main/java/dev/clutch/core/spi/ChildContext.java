package dev.clutch.core.spi;

import dev.clutch.core.api.ClutchApplication;
import dev.clutch.core.api.Messenger;
import dev.clutch.core.config.ClutchConfig;
import dev.clutch.core.ipc.IpcTransport;
import dev.clutch.core.logging.ProcessLabel;
import dev.clutch.core.message.PayloadCodec;
import dev.clutch.core.plugin.PluginSet;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.function.Consumer;

/** What core gives a {@link RoleRuntime}: the application, its configuration and the way to the master. */
public interface ChildContext {

    ClutchApplication application();

    ClutchConfig config();

    /** The application's enabled plugins, in order. */
    PluginSet plugins();

    /** This process's role and worker slot. */
    ProcessLabel label();

    IpcTransport transport();

    /** Serializes the application's payload types (shared state values travel this way too). */
    PayloadCodec payloads();

    /** This process's messenger. */
    Messenger messenger();

    /**
     * Sends a message to the master itself (not routed on).
     *
     * @throws dev.clutch.core.ipc.FrameTooLargeException when it is over {@code clutch.ipc.maxFrameBytes}
     */
    void sendToMaster(Object body);

    /**
     * Whether what this process sends the master goes out now: false while more than
     * {@code clutch.ipc.maxPendingBytes} wait to be sent (the master has stopped reading from this process because
     * a receiver is behind, say).
     */
    default boolean masterKeepsUp() {
        return true;
    }

    /**
     * Opens the descriptor connection to the master; every file descriptor the master passes (the listening
     * socket, accepted connections) goes to {@code receiver}, {@code lostOne} runs for each one the kernel could
     * not give this process (at its limit of open files: the kernel closed it), and {@code afterBatch} runs after
     * each batch read and after each loss, all on the IPC thread.
     */
    void receiveDescriptors(Consumer<FileDescriptor> receiver, Runnable lostOne, Runnable afterBatch)
            throws IOException;

    /**
     * Whether this worker binds the HTTP port itself, alone, whatever the scheduling policy: single-process mode,
     * where no master shares the port.
     */
    default boolean bindsPortAlone() {
        return false;
    }

    /**
     * Whether a master supervises this process (heartbeats, replacement after a fatal error); not in
     * single-process mode, where the worker shares the JVM with everything else.
     */
    default boolean supervised() {
        return !bindsPortAlone();
    }

    /** The worker's HTTP server listens at {@code address} (in single-process mode, the port picked for 0). */
    default void listening(InetSocketAddress address) {
    }
}
