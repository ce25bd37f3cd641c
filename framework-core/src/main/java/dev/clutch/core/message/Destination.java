package dev.clutch.core.message;

/**
 * Where the master routes a message.
 *
 * @param pid the target process when {@code kind} is {@link Kind#PROCESS}, otherwise 0
 */
public record Destination(Kind kind, long pid) {

    /** The routes the master knows. */
    public enum Kind {
        /** The master itself (handshake, control). */
        MASTER,
        /** The agent. */
        AGENT,
        /** Every ready worker. */
        WORKERS,
        /** One ready worker, chosen at random. */
        RANDOM_WORKER,
        /** The process with the given pid. */
        PROCESS,
        /** The agent and every ready worker. */
        EVERYONE
    }

    public static final Destination MASTER = new Destination(Kind.MASTER, 0);
    public static final Destination AGENT = new Destination(Kind.AGENT, 0);
    public static final Destination WORKERS = new Destination(Kind.WORKERS, 0);
    public static final Destination RANDOM_WORKER = new Destination(Kind.RANDOM_WORKER, 0);
    public static final Destination EVERYONE = new Destination(Kind.EVERYONE, 0);

    /** @throws IllegalArgumentException for a pid no process can have */
    public static Destination process(long pid) {
        if (pid <= 0) {
            throw new IllegalArgumentException("no process has pid " + pid + ": a pid is a positive number");
        }
        return new Destination(Kind.PROCESS, pid);
    }
}
