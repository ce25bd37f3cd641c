package dev.clutch.core.api;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Messages between the processes of a cluster, the same in the agent and in every worker; inject it. Every
 * message goes through the master, which routes it. Payloads are the application's own types, registered once
 * with fixed IDs (see {@link ClutchApplication#payloadTypes()}); they may hold strings, primitives, the JDK's lists,
 * sets and maps, and its time and UUID values without registering those. {@code null} payloads are allowed.
 *
 * <p>Delivery is in order from one sender to one receiver. A message that cannot be delivered (no ready worker,
 * an unknown pid, a receiver gone or too slow) is never dropped silently: a request's future fails, and a plain
 * send is reported to {@link #onUndeliverable} and logged.
 *
 * <p>Actions whose names start with {@code clutch.} are the framework's own (schedule runs and their results):
 * give the application's actions other names.
 *
 * <p>Sends never block. When this process has more than {@code clutch.ipc.maxPendingBytes} not yet sent (its
 * receivers, or the master, are behind), a send throws {@link MessageFailedException} with the reason
 * {@link MessageFailedException.Reason#BACK_PRESSURE BACK_PRESSURE}: slow down and retry.
 *
 * <p>A payload whose type is not registered, or that is larger than {@code clutch.ipc.maxFrameBytes}, is refused
 * at once: the send or request throws {@link IllegalArgumentException}, saying which.
 */
public interface Messenger {

    /** To the agent and every ready worker (this process included if it is one of them). */
    void broadcast(String action, Object payload);

    /** To every ready worker. */
    void sendToWorkers(String action, Object payload);

    /** To the agent. */
    void sendToAgent(String action, Object payload);

    /** To one ready worker, chosen at random. */
    void sendRandom(String action, Object payload);

    /** To the process with this pid; held by the master until that worker is ready if it is starting. */
    void sendTo(long pid, String action, Object payload);

    /**
     * Sends a request to one process and completes with its handler's return value, or exceptionally with
     * {@link MessageFailedException} (undeliverable, the handler threw, or no reply within {@code timeout}: see its
     * {@link MessageFailedException#reason() reason}).
     *
     * <p>A reply or a failure the master reports completes the future on the thread that reads this process's
     * messages (as Netty's futures do on their event loop), a timeout on Clutch's one timer thread: code chained with
     * {@code thenApply}, {@code thenAccept} and the like runs there, and while it runs no message reaches this
     * process, or no other request times out. Keep it short; for anything that blocks (another request's
     * {@code join()} among them) chain with the {@code ...Async} variants and an executor of your own.
     *
     * @throws NullPointerException when {@code action} or {@code timeout} is null; nothing is sent
     */
    <R> CompletableFuture<R> request(Target target, String action, Object payload, Duration timeout);

    /** Handles messages with this action, one at a time in arrival order; for a request, the return value is the reply. */
    void on(String action, MessageHandler handler);

    /** Stops handling {@code action}: its later messages find no handler (a request then fails). */
    void off(String action);

    /**
     * Called for each plain send that could not be delivered, on the thread that reads this process's messages:
     * keep it short, as a future's callbacks (see {@link #request}).
     */
    void onUndeliverable(Consumer<Undeliverable> listener);

    /**
     * Handles one message; what it returns answers a request (ignored for a plain send). A handler may return a
     * {@link java.util.concurrent.CompletionStage}: the request is answered when it completes, and the next
     * message is handled meanwhile.
     */
    @FunctionalInterface
    interface MessageHandler {
        Object handle(Message message) throws Exception;
    }

    /** A received message and who sent it (stamped by the master, never taken from the payload). */
    record Message(String action, Object payload, Role fromRole, int fromWorkerId, long fromPid) {
    }

    /** A send that could not be delivered, and why. */
    record Undeliverable(String action, String reason) {
    }

    /** The one process a request goes to. */
    record Target(String kind, long pid) {
        /** The agent. */
        public static Target agent() {
            return new Target("agent", 0);
        }

        /** One ready worker, chosen at random for each request. */
        public static Target randomWorker() {
            return new Target("random", 0);
        }

        /** @throws IllegalArgumentException for a pid no process can have (zero or negative) */
        public static Target pid(long pid) {
            if (pid <= 0) {
                throw new IllegalArgumentException("no process has pid " + pid + ": a pid is a positive number");
            }
            return new Target("pid", pid);
        }
    }

    /**
     * A send or request that failed; {@link #reason()} says which way, for code that treats them differently
     * (retry after back-pressure, skip when no worker is ready), and the message says what happened in words.
     */
    final class MessageFailedException extends RuntimeException {

        /** The ways a message can fail. */
        public enum Reason {
            /**
             * More than {@code clutch.ipc.maxPendingBytes} of this process's messages are not yet sent (its receivers,
             * or the master, are behind): nothing was sent; slow down and retry.
             */
            BACK_PRESSURE,
            /**
             * Reached no one: no ready worker, no process with that pid, the agent not running, a receiver too far
             * behind, or no master to route it.
             */
            UNDELIVERABLE,
            /** Delivered, but its receiver exited before it answered: its handler may or may not have run. */
            RECEIVER_EXITED,
            /**
             * The receiver has no handler for the action, its handler failed, or its reply could not be sent or
             * read (or was dropped because this process had stopped reading its messages for too long).
             */
            HANDLER_FAILED,
            /** No reply within the request's timeout. */
            TIMED_OUT,
            /** This process began to stop before the reply came. */
            STOPPED
        }

        private final Reason reason;

        /**
         * @param reason which way it failed
         * @param message what happened, for people: the action, the process, and why
         */
        public MessageFailedException(Reason reason, String message) {
            super(message);
            this.reason = Objects.requireNonNull(reason, "reason");
        }

        /** Which way the message failed. */
        public Reason reason() {
            return reason;
        }
    }
}
