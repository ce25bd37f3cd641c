package dev.clutch.core.child;

import dev.clutch.core.api.Messenger;
import dev.clutch.core.api.Messenger.MessageFailedException.Reason;
import dev.clutch.core.ipc.FrameTooLargeException;
import dev.clutch.core.logging.LogThrottle;
import dev.clutch.core.message.AppMessage;
import dev.clutch.core.message.Destination;
import dev.clutch.core.message.Envelope;
import dev.clutch.core.message.PayloadCodec;
import dev.clutch.core.message.ScheduleRun;
import dev.clutch.core.message.Unanswered;
import dev.clutch.core.message.Undelivered;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Messenger} of an agent or worker. Handlers run one at a time, in arrival order, on a thread of their
 * own (never on the IPC thread, so a slow handler cannot stall the connection to the master).
 */
public final class ChildMessenger implements Messenger {

    private static final Logger log = LoggerFactory.getLogger(ChildMessenger.class);

    private final PayloadCodec codec;
    private final MessageLink link;
    private final String self;
    private final Map<String, MessageHandler> handlers = new ConcurrentHashMap<>();
    private final Map<Long, PendingRequest> pending = new ConcurrentHashMap<>();
    private final List<Consumer<Undeliverable>> undeliverableListeners = new CopyOnWriteArrayList<>();
    private final AtomicLong correlations = new AtomicLong();
    /** Past {@link #close()}: a send fails as STOPPED, not as whatever the closed link would make of it. */
    private volatile boolean closed;
    private final ExecutorService handlerThread = Executors.newSingleThreadExecutor(daemon("clutch-messages"));
    private final HandlerQueue<Envelope> inbound;
    /** A handler's failure as the requester gets it, at most: an exception's text can be of any length. */
    private static final int MAX_FAILURE_CHARS = 2000;
    private final LogThrottle undeliverableLog = new LogThrottle(Duration.ofSeconds(1));
    private final LogThrottle noHandlerLog = new LogThrottle(Duration.ofSeconds(1));
    private final ScheduledThreadPoolExecutor timeouts = timeouts();

    /** A request sent and not yet answered. */
    private record PendingRequest(String action, CompletableFuture<Object> reply) {
    }

    public ChildMessenger(PayloadCodec codec, MessageLink link, String self) {
        this.codec = codec;
        this.link = link;
        this.self = self;
        this.inbound = new HandlerQueue<>(handlerThread, envelope -> handle(envelope, (AppMessage) envelope.body()),
                link);
    }

    private static ScheduledThreadPoolExecutor timeouts() {
        ScheduledThreadPoolExecutor timeouts = new ScheduledThreadPoolExecutor(1, daemon("clutch-message-timeouts"));
        timeouts.setRemoveOnCancelPolicy(true);
        return timeouts;
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public void broadcast(String action, Object payload) {
        send(Destination.EVERYONE, action, payload);
    }

    @Override
    public void sendToWorkers(String action, Object payload) {
        send(Destination.WORKERS, action, payload);
    }

    @Override
    public void sendToAgent(String action, Object payload) {
        send(Destination.AGENT, action, payload);
    }

    @Override
    public void sendRandom(String action, Object payload) {
        send(Destination.RANDOM_WORKER, action, payload);
    }

    @Override
    public void sendTo(long pid, String action, Object payload) {
        send(Destination.process(pid), action, payload);
    }

    private void send(Destination to, String action, Object payload) {
        Objects.requireNonNull(action, "action");
        toMaster(new Envelope(null, to, new AppMessage(AppMessage.Kind.SEND, action, codec.write(payload), 0)));
    }

    /**
     * @throws MessageFailedException when this process has outrun the master: memory stays bounded and the
     *     caller learns at once
     */
    private void toMaster(Envelope envelope) {
        if (closed) {
            throw new MessageFailedException(Reason.STOPPED, "'" + ((AppMessage) envelope.body()).action()
                    + "' cannot be sent: this process is stopping");
        }
        if (!link.isConnected()) {
            throw new MessageFailedException(Reason.UNDELIVERABLE, "'" + ((AppMessage) envelope.body()).action()
                    + "' cannot be sent: this process has lost its connection to the master, and stops");
        }
        if (!link.isWritable()) {
            throw new MessageFailedException(Reason.BACK_PRESSURE, "too many messages not yet sent to the master "
                    + "(over clutch.ipc.maxPendingBytes): slow down and retry");
        }
        try {
            link.post(envelope);
        } catch (FrameTooLargeException e) {
            // A payload just under the limit, whose message with its action and routing header is over it.
            throw new IllegalArgumentException("cannot send '" + ((AppMessage) envelope.body()).action() + "': "
                    + e.getMessage(), e);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <R> CompletableFuture<R> request(Target target, String action, Object payload, Duration timeout) {
        Destination to = switch (target.kind()) {
            case "agent" -> Destination.AGENT;
            case "random" -> Destination.RANDOM_WORKER;
            case "pid" -> Destination.process(target.pid());
            default -> throw new IllegalArgumentException("unknown target " + target);
        };
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(timeout, "timeout");
        byte[] bytes = codec.write(payload);
        long correlation = correlations.incrementAndGet();
        CompletableFuture<Object> reply = new CompletableFuture<>();
        pending.put(correlation, new PendingRequest(action, reply));
        try {
            toMaster(new Envelope(null, to, new AppMessage(AppMessage.Kind.REQUEST, action, bytes, correlation)));
        } catch (MessageFailedException e) {
            pending.remove(correlation);
            reply.completeExceptionally(e);
            return (CompletableFuture<R>) reply;
        } catch (IllegalArgumentException e) {
            // Refused at the sender (over clutch.ipc.maxFrameBytes): thrown, like an unregistered payload.
            pending.remove(correlation);
            throw e;
        }
        ScheduledFuture<?> expiry;
        try {
            expiry = timeouts.schedule(() -> fail(correlation, Reason.TIMED_OUT,
                    AppMessage.noReplyWithin(action, timeout)), timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // Closed since the message left: its reply would find no one.
            fail(correlation, Reason.STOPPED, "this process is stopping");
            return (CompletableFuture<R>) reply;
        }
        // Answered requests take their timer with them: at thousands of requests a second, timers that wait out
        // their full timeout would pile up. And a future the caller completed or cancelled itself takes its entry.
        reply.whenComplete((value, failure) -> {
            expiry.cancel(false);
            pending.remove(correlation);
        });
        return (CompletableFuture<R>) reply;
    }

    @Override
    public void on(String action, MessageHandler handler) {
        MessageHandler replaced = handlers.put(action, handler);
        if (replaced != null && replaced != handler) {
            // An application and a plugin, say, that chose the same action: one of them would never hear of it.
            log.warn("the handler of '{}' in {} was replaced by another: only the last one registered handles it",
                    action, self);
        }
    }

    @Override
    public void off(String action) {
        handlers.remove(action);
    }

    @Override
    public void onUndeliverable(Consumer<Messenger.Undeliverable> listener) {
        undeliverableListeners.add(listener);
    }

    /** An envelope whose body is an {@link AppMessage}, from the master; on the IPC thread. */
    public void received(Envelope envelope) {
        AppMessage message = (AppMessage) envelope.body();
        switch (message.kind()) {
            case REPLY -> complete(message.correlation(), message.payload());
            case REPLY_FAILED -> fail(message.correlation(), Reason.HANDLER_FAILED,
                    new String(message.payload(), StandardCharsets.UTF_8));
            default -> inbound.add(envelope);
        }
    }

    /** A process this one's request was delivered to exited without answering it. */
    public void unanswered(Unanswered notice) {
        PendingRequest request = pending.get(notice.correlation());
        if (request != null) {
            fail(notice.correlation(), Reason.RECEIVER_EXITED, notice.failure(request.action()));
        }
    }

    /** The master could not deliver one of this process's messages. */
    public void undeliverable(Undelivered notice) {
        if (notice.correlation() != 0) {
            fail(notice.correlation(), Reason.UNDELIVERABLE, notice.failure());
            return;
        }
        // A schedule run that reached no worker is the scheduler's to report, in schedule.log.
        if (!ScheduleRun.isRun(notice.action())) {
            logUndeliverable(notice);
        }
        Messenger.Undeliverable event = new Messenger.Undeliverable(notice.action(), notice.reason());
        for (Consumer<Messenger.Undeliverable> listener : undeliverableListeners) {
            try {
                listener.accept(event);
            } catch (RuntimeException | LinkageError | AssertionError e) {
                // One listener's failure is its own: the others (the agent's scheduler among them) still hear.
                log.error("a listener of undeliverable messages failed on '{}': {}", event.action(), e.toString(), e);
            }
        }
    }

    /**
     * At most one line a second: a receiver that stopped keeping up can make thousands of sends fail in a second,
     * and each one is also reported to the listeners.
     */
    private void logUndeliverable(Undelivered notice) {
        undeliverableLog.log(heldBack -> log.error("message '{}' could not be delivered: {}{}", notice.action(),
                notice.reason(), LogThrottle.andMore(heldBack)));
    }

    private void handle(Envelope envelope, AppMessage message) {
        boolean request = message.kind() == AppMessage.Kind.REQUEST;
        MessageHandler handler = handlers.get(ScheduleRun.isRun(message.action()) ? ScheduleRun.ACTION
                : message.action());
        if (handler == null) {
            if (request) {
                reply(envelope, message, AppMessage.Kind.REPLY_FAILED, ("no handler for '" + message.action()
                        + "' in " + self).getBytes(StandardCharsets.UTF_8));
            } else {
                // One line a second: a broadcast reaches every process, also those that do not handle it.
                noHandlerLog.log(heldBack -> log.warn("no handler for message '{}' from {}{}", message.action(),
                        envelope.sender().describe(), LogThrottle.andMore(heldBack)));
            }
            return;
        }
        try {
            Object result = handler.handle(new Message(message.action(), codec.read(message.payload()),
                    envelope.sender().role(), envelope.sender().workerId(), envelope.sender().pid()));
            if (result instanceof CompletionStage<?> later) {
                // Answered when the work is done, without holding up the next message.
                later.whenComplete((value, failure) -> {
                    if (request) {
                        answer(envelope, message, value, failure);
                    } else if (failure != null) {
                        log.error("handler of '{}' failed: {}", message.action(), failure.toString(), failure);
                    }
                });
            } else if (request) {
                answer(envelope, message, result, null);
            }
        } catch (Exception | Error e) {
            log.error("handler of '{}' failed: {}", message.action(), e.toString(), e);
            if (request) {
                replyFailed(envelope, message, e);
            }
            if (e instanceof VirtualMachineError fatal) {
                // Out of memory, stack overflow: the process's own uncaught-error handling decides what follows.
                throw fatal;
            }
        }
    }

    /** Replies with the handler's result, or why there is none: the requester never waits for a lost answer. */
    private void answer(Envelope envelope, AppMessage message, Object value, Throwable failure) {
        if (failure != null) {
            replyFailed(envelope, message, failure);
            return;
        }
        try {
            reply(envelope, message, AppMessage.Kind.REPLY, codec.write(value));
        } catch (RuntimeException e) {
            // Not registered, or over clutch.ipc.maxFrameBytes: the requester learns which.
            log.error("the reply to '{}' cannot be sent: {}", message.action(), e.getMessage());
            reply(envelope, message, AppMessage.Kind.REPLY_FAILED, (self + " handled '" + message.action()
                    + "', but its reply cannot be sent: " + e.getMessage()).getBytes(StandardCharsets.UTF_8));
        }
    }

    private void replyFailed(Envelope envelope, AppMessage message, Throwable failure) {
        String why = String.valueOf(failure);
        if (why.length() > MAX_FAILURE_CHARS) {
            // The whole text is in this process's log; the requester needs what failed, in a frame that fits.
            why = why.substring(0, MAX_FAILURE_CHARS) + "… (cut; the whole of it is in " + self + "'s log)";
        }
        reply(envelope, message, AppMessage.Kind.REPLY_FAILED, (self + " failed to handle '" + message.action()
                + "': " + why).getBytes(StandardCharsets.UTF_8));
    }

    private void reply(Envelope request, AppMessage message, AppMessage.Kind kind, byte[] payload) {
        // A reply must not be lost to back-pressure: it waits in the buffer (a handler answers one at a time).
        link.post(new Envelope(null, Destination.process(request.sender().pid()),
                new AppMessage(kind, message.action(), payload, message.correlation())));
    }

    private void complete(long correlation, byte[] payload) {
        PendingRequest request = pending.remove(correlation);
        if (request != null) {
            try {
                request.reply().complete(codec.read(payload));
            } catch (RuntimeException | LinkageError e) {
                request.reply().completeExceptionally(new MessageFailedException(Reason.HANDLER_FAILED,
                        "the reply could not be read: " + e));
            }
        }
    }

    private void fail(long correlation, Reason reason, String why) {
        PendingRequest request = pending.remove(correlation);
        if (request != null) {
            request.reply().completeExceptionally(new MessageFailedException(reason, why));
        }
    }

    public void close() {
        closed = true;
        handlerThread.shutdownNow();
        timeouts.shutdownNow();
        pending.values().forEach(request -> request.reply().completeExceptionally(new MessageFailedException(
                Reason.STOPPED, "this process is stopping")));
        pending.clear();
    }
}
