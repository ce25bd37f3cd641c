package dev.clutch.core.child;

import dev.clutch.core.message.Envelope;

/** Where a {@link ChildMessenger} sends: the IPC connection to the master, or the in-memory hub of one JVM. */
public interface MessageLink {

    /** Whether the link takes more now; false once the pending bytes passed {@code clutch.ipc.maxPendingBytes}. */
    boolean isWritable();

    /** Whether the link still leads anywhere: false once the connection to the master is gone. */
    default boolean isConnected() {
        return true;
    }

    /** Sends {@code envelope}, in order after everything sent before it. */
    void post(Envelope envelope);

    /** Stops or resumes taking messages in: how a process whose handlers fall behind holds back its senders. */
    void reading(boolean on);
}
