package dev.clutch.core.single;

import dev.clutch.core.api.Messenger;
import dev.clutch.core.api.Role;
import dev.clutch.core.child.ChildMessenger;
import dev.clutch.core.child.MessageLink;
import dev.clutch.core.master.StateStore;
import dev.clutch.core.message.AppMessage;
import dev.clutch.core.message.Destination;
import dev.clutch.core.message.Envelope;
import dev.clutch.core.message.FatalError;
import dev.clutch.core.message.PayloadCodec;
import dev.clutch.core.message.Sender;
import dev.clutch.core.message.StateChange;
import dev.clutch.core.message.StateResync;
import dev.clutch.core.message.StateSnapshot;
import dev.clutch.core.message.Unanswered;
import dev.clutch.core.message.Undelivered;
import dev.clutch.core.spi.RoleRuntime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's routing in single-process mode: the agent, the worker and the test kit each have an endpoint, and
 * every message between them passes here, on one thread, in order, as it would pass the master. The same rules
 * hold: held until the receiver is ready, reported back when undeliverable, the latest state kept for the worker.
 * Payloads are serialized exactly as between processes, so an unregistered type fails here too.
 */
final class LocalHub implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalHub.class);
    /** Messages queued for the hub thread, at most: the in-memory counterpart of maxPendingBytes. */
    private static final int MAX_QUEUED = 100_000;
    private static final int MAX_HELD = 10_000;

    private final long pid = ProcessHandle.current().pid();
    private final PayloadCodec codec;
    private final ThreadPoolExecutor thread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(MAX_QUEUED), r -> {
                Thread t = new Thread(r, "clutch-local-ipc");
                t.setDaemon(true);
                return t;
            });
    private final StateStore state = new StateStore();
    /** Requests in flight, by the correlation the hub gave them: who asked, and under which correlation. */
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong correlations = new AtomicLong();
    private final Endpoint agent;
    private final Endpoint worker;
    private final Endpoint test;
    private final List<Endpoint> endpoints;

    private record Pending(Endpoint requester, long correlation, Endpoint receiver, long sentNanos) {
    }

    /** A request unanswered this long has timed out at its requester long ago: its entry goes. */
    private static final long FORGET_NANOS = TimeUnit.HOURS.toNanos(1);

    LocalHub(PayloadCodec codec) {
        this.codec = codec;
        this.agent = new Endpoint(new Sender(Role.AGENT, 0, pid), "agent");
        this.worker = new Endpoint(new Sender(Role.WORKER, 1, pid), "worker-1");
        this.test = new Endpoint(new Sender(Role.MASTER, 0, pid), "test");
        this.endpoints = List.of(agent, worker, test);
        test.ready = true;
    }

    Endpoint agent() {
        return agent;
    }

    Endpoint worker() {
        return worker;
    }

    /** The messenger of whoever drives the application from outside (the test kit). */
    Messenger testMessenger() {
        return test.messenger;
    }

    /** The latest shared state, as the master keeps it. */
    StateSnapshot stateSnapshot() {
        return call(state::snapshot);
    }

    /** {@code endpoint}'s runtime starts; a worker gets the whole state first, then every change in order. */
    void starting(Endpoint endpoint, RoleRuntime runtime) {
        run(() -> {
            endpoint.runtime = runtime;
            if (endpoint == worker) {
                runtime.onMessage(state.snapshot());
            }
        });
    }

    /** {@code endpoint} reported ready: what was held for it is delivered now. */
    void ready(Endpoint endpoint) {
        run(() -> {
            endpoint.ready = true;
            List<Envelope> held = new ArrayList<>(endpoint.held);
            endpoint.held.clear();
            held.forEach(envelope -> deliver(envelope, endpoint));
        });
    }

    /**
     * {@code endpoint} is stopping: application messages for it are undeliverable from now on, while its runtime
     * still gets the state's changes until it is gone (requests in flight may wait for one).
     */
    void leaving(Endpoint endpoint) {
        run(() -> {
            endpoint.stopping = true;
            endpoint.ready = false;
            failHeld(endpoint, endpoint.name + " was stopped before it was ready");
        });
    }

    /**
     * {@code endpoint}'s runtime has stopped: the requests it took and did not answer fail now, not at their
     * timeout.
     */
    void gone(Endpoint endpoint) {
        run(() -> {
            endpoint.runtime = null;
            failHeld(endpoint, endpoint.name + " exited before it was ready");
            pending.values().removeIf(request -> {
                if (request.receiver() != endpoint) {
                    return false;
                }
                request.requester().messenger.unanswered(new Unanswered(request.correlation(),
                        endpoint.name + " exited before it answered"));
                return true;
            });
        });
    }

    private void failHeld(Endpoint endpoint, String reason) {
        List<Envelope> held = new ArrayList<>(endpoint.held);
        endpoint.held.clear();
        held.forEach(envelope -> undeliverable(envelope, endpointOf(envelope.sender()), reason));
    }

    private void run(Runnable task) {
        call(() -> {
            task.run();
            return null;
        });
    }

    private <T> T call(java.util.concurrent.Callable<T> task) {
        try {
            return thread.submit(task).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the in-memory hub failed: " + e, e);
        }
    }

    private void route(Envelope envelope, Endpoint from) {
        Destination to = envelope.destination();
        switch (to.kind()) {
            case MASTER -> fromProcess(from, envelope.body());
            case AGENT -> deliverOrHold(envelope, agent);
            case WORKERS, RANDOM_WORKER -> {
                if (worker.ready) {
                    deliver(envelope, worker);
                } else {
                    undeliverable(envelope, from, "no ready worker");
                }
            }
            case EVERYONE -> {
                List<Endpoint> targets = new ArrayList<>();
                if (agent.ready) {
                    targets.add(agent);
                }
                if (worker.ready) {
                    targets.add(worker);
                }
                if (targets.isEmpty()) {
                    undeliverable(envelope, from, "no ready process");
                }
                targets.forEach(target -> deliver(envelope, target));
            }
            case PROCESS -> toProcess(envelope, from);
            default -> undeliverable(envelope, from, "unknown destination " + to);
        }
    }

    /** Replies find their requester by correlation; anything else for this pid goes to the worker. */
    private void toProcess(Envelope envelope, Endpoint from) {
        if (envelope.body() instanceof AppMessage message && (message.kind() == AppMessage.Kind.REPLY
                || message.kind() == AppMessage.Kind.REPLY_FAILED)) {
            Pending request = pending.remove(message.correlation());
            if (request != null) {
                request.requester.messenger.received(withCorrelation(envelope, message, request.correlation));
            }
            return;
        }
        if (envelope.destination().pid() != pid) {
            undeliverable(envelope, from, "no process of this cluster has pid " + envelope.destination().pid());
        } else {
            deliverOrHold(envelope, worker);
        }
    }

    private void deliverOrHold(Envelope envelope, Endpoint target) {
        if (target.ready) {
            deliver(envelope, target);
        } else if (target.stopping) {
            undeliverable(envelope, endpointOf(envelope.sender()), target.name + " is stopping");
        } else if (target.runtime == null) {
            undeliverable(envelope, endpointOf(envelope.sender()), target.name + " is not running");
        } else if (target.held.size() < MAX_HELD) {
            target.held.add(envelope);
        } else {
            undeliverable(envelope, endpointOf(envelope.sender()), target.name + " is still starting and already "
                    + "holds " + MAX_HELD + " messages");
        }
    }

    private Endpoint endpointOf(Sender sender) {
        return sender.role() == Role.AGENT ? agent : sender.role() == Role.WORKER ? worker : test;
    }

    /** The message as its receiver knows it: requesters number their requests independently of each other. */
    private static Envelope withCorrelation(Envelope envelope, AppMessage message, long correlation) {
        return new Envelope(envelope.sender(), envelope.destination(), new AppMessage(message.kind(),
                message.action(), message.payload(), correlation));
    }

    private void deliver(Envelope envelope, Endpoint target) {
        Object body = envelope.body();
        if (body instanceof AppMessage message && message.kind() == AppMessage.Kind.REQUEST) {
            // Requesters number their requests independently: the hub's own number tells the replies apart.
            long correlation = correlations.incrementAndGet();
            long now = System.nanoTime();
            if (correlation % 1024 == 0) {
                pending.values().removeIf(p -> now - p.sentNanos() > FORGET_NANOS);
            }
            pending.put(correlation, new Pending(endpointOf(envelope.sender()), message.correlation(), target, now));
            target.messenger.received(withCorrelation(envelope, message, correlation));
        } else if (body instanceof AppMessage) {
            target.messenger.received(envelope);
        } else if (target.runtime != null) {
            target.runtime.onMessage(body);
        }
    }

    private void undeliverable(Envelope envelope, Endpoint sender, String reason) {
        if (envelope.body() instanceof AppMessage message && (message.kind() == AppMessage.Kind.SEND
                || message.kind() == AppMessage.Kind.REQUEST)) {
            long correlation = message.kind() == AppMessage.Kind.REQUEST ? message.correlation() : 0;
            sender.messenger.undeliverable(new Undelivered(message.action(), correlation, reason));
        } else {
            log.warn("'{}' from {} reached no one: {}", envelope.body().getClass().getSimpleName(), sender.name,
                    reason);
        }
    }

    /** What a process sends the master itself. */
    private void fromProcess(Endpoint from, Object body) {
        if (body instanceof StateChange change && from == agent) {
            if (state.apply(change)) {
                if (worker.runtime != null) {
                    worker.runtime.onMessage(change);
                }
            } else {
                log.error("state change {} from the agent does not follow version {}: ignored", change.version(),
                        state.version());
            }
        } else if (body instanceof StateResync && from.runtime != null) {
            from.runtime.onMessage(state.snapshot());
        } else if (body instanceof FatalError fatal) {
            log.error("the worker hit a fatal error ({}); in single-process mode nothing replaces it: restart the "
                    + "process", fatal.error());
        }
        // Heartbeats and hand-off counts have no one to tell: no master supervises this process.
    }

    @Override
    public void close() {
        endpoints.forEach(endpoint -> endpoint.messenger.close());
        thread.shutdownNow();
    }

    /** One process's place at the hub: its messenger sends through here, stamped with its sender. */
    final class Endpoint implements MessageLink {
        private final Sender sender;
        private final String name;
        private final ChildMessenger messenger;
        private final List<Envelope> held = new ArrayList<>();
        private volatile RoleRuntime runtime;
        private volatile boolean ready;
        private volatile boolean stopping;
        /** Its handlers have as many messages waiting as a connection's reading stops at. */
        private volatile boolean behind;

        Endpoint(Sender sender, String name) {
            this.sender = sender;
            this.name = name;
            this.messenger = new ChildMessenger(codec, this, name);
        }

        Messenger messenger() {
            return messenger;
        }

        @Override
        public boolean isWritable() {
            // The hub delivers on one thread and cannot hold back one receiver's messages alone: while a receiver's
            // handlers have fallen behind, the others' sends are refused (BACK_PRESSURE), and its own replies pass.
            return thread.getQueue().remainingCapacity() > 0
                    && endpoints.stream().noneMatch(other -> other != this && other.behind);
        }

        @Override
        public void reading(boolean on) {
            behind = !on;
        }

        @Override
        public void post(Envelope envelope) {
            Envelope stamped = envelope.stampedBy(sender);
            try {
                thread.execute(() -> {
                    try {
                        route(stamped, this);
                    } catch (RuntimeException e) {
                        // The hub's one thread must outlive a bug in one message's path.
                        log.error("in-memory hub: a message from {} to {} could not be routed: {}", name,
                                stamped.destination(), e.toString(), e);
                    }
                });
            } catch (RejectedExecutionException e) {
                if (thread.isShutdown()) {
                    throw new Messenger.MessageFailedException(Messenger.MessageFailedException.Reason.STOPPED,
                            "the in-memory hub is closed: this process is stopping");
                }
                throw new Messenger.MessageFailedException(Messenger.MessageFailedException.Reason.BACK_PRESSURE,
                        "too many messages queued in this process (over " + MAX_QUEUED + "): slow down and retry");
            }
        }
    }
}
