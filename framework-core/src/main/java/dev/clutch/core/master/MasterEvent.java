package dev.clutch.core.master;

import dev.clutch.core.control.ControlServer;
import dev.clutch.core.ipc.ChildConnection;
import dev.clutch.core.message.Envelope;

/** Everything that can change the master's state arrives as one of these, on one queue, handled by one thread. */
interface MasterEvent {

    record Connected(ChildConnection connection) implements MasterEvent {
    }

    record Received(ChildConnection connection, Envelope envelope) implements MasterEvent {
    }

    /** A reply to, or an undeliverable notice about, a message the master sent for its control socket. */
    record Reply(Envelope envelope) implements MasterEvent {
    }

    record Disconnected(ChildConnection connection) implements MasterEvent {
    }

    record Exited(long pid, int status) implements MasterEvent {
    }

    /** @param receivedNanos when the JVM handed it over: two of them are compared, not when they were handled */
    record SignalReceived(String name, long receivedNanos) implements MasterEvent {
    }

    record Control(ControlServer.Command command) implements MasterEvent {
    }

    /** Dev mode: the application's classes or resources were rebuilt. */
    record ClassesChanged() implements MasterEvent {
    }
}
