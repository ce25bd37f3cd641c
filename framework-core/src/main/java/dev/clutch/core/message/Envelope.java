package dev.clutch.core.message;

/**
 * One message on the IPC wire after the hello: who sent it, where it goes, and the body (a registered type).
 *
 * @param sender stamped by the master on receipt; children send {@code null}
 */
public record Envelope(Sender sender, Destination destination, Object body) {

    public static Envelope toMaster(Object body) {
        return new Envelope(null, Destination.MASTER, body);
    }

    public Envelope stampedBy(Sender stamp) {
        return new Envelope(stamp, destination, body);
    }
}
