package dev.clutch.core.master;

import com.esotericsoftware.kryo.Kryo;
import dev.clutch.core.api.Role;
import dev.clutch.core.ipc.ChildConnection;
import dev.clutch.core.ipc.EnvelopeFrames;
import dev.clutch.core.ipc.FrameRun;
import dev.clutch.core.logging.LogThrottle;
import dev.clutch.core.message.AppMessage;
import dev.clutch.core.message.Destination;
import dev.clutch.core.message.Envelope;
import dev.clutch.core.message.MessageRegistry;
import dev.clutch.core.message.Sender;
import dev.clutch.core.message.StateChange;
import dev.clutch.core.message.StateSnapshot;
import dev.clutch.core.message.Unanswered;
import dev.clutch.core.message.Undelivered;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where every message between processes goes, and the shared state workers are kept up to date with: the whole
 * message flow of the cluster, on the master's IPC thread. Messages between children arrive as frames and leave as
 * the same bytes, never deserialized; only the rare paths (a message that reaches no one, a reply to the master)
 * read a body.
 *
 * <p>The life-cycle thread reports children here ({@link #launched}, {@link #entered}, {@link #attached},
 * {@link #gone}); those calls queue onto the IPC thread, so routing never waits for the life cycle and sees every
 * change in the order it was made. A message for a child that is still starting is held and delivered, in order,
 * when it is ready; one that reaches no one is reported to its sender.
 *
 * <p>Back-pressure: when a receiver's unsent bytes pass {@code clutch.ipc.maxPendingBytes}, the master stops reading
 * from the senders that wrote to it until it has caught up, so their own connections fill and their sends fail
 * with "slow down" at the source. A receiver still behind after {@link #SLOW_RECEIVER_GRACE_NANOS} is marked slow
 * instead: the senders resume and messages for it are reported undeliverable until it has caught up (a message for
 * a random worker goes to another one), so one stuck process cannot hold up the rest of the cluster.
 *
 * <p>Requests: the switchboard notes each request it delivers to one process until the answer passes back, so when
 * that process exits with requests unanswered their senders learn it at once ({@link Unanswered}), not at their
 * timeout.
 */
final class Switchboard implements Child.PhaseListener {

    private static final Logger log = LoggerFactory.getLogger(Switchboard.class);
    /** Messages that reached no one can come by the thousand (a stuck requester's replies): a line a second. */
    private final LogThrottle reachedNoOneLog = new LogThrottle(Duration.ofSeconds(1));
    static final long SLOW_RECEIVER_GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** Messages held for one child while it starts, at most this many. */
    static final int MAX_HELD = 10_000;
    /**
     * Unanswered requests noted per process, at most this many: past it the oldest are forgotten, and fail only at
     * their timeout should that process exit (a handler that never answers must not grow the master's memory).
     */
    static final int MAX_NOTED_REQUESTS = 16_384;
    /** How long an exited process's last replies may take to be read before its unanswered requests fail. */
    private static final long LAST_REPLIES_WAIT_MILLIS = 500;

    /** A request delivered and not yet answered: who asked, and its correlation there. */
    private record NotedRequest(long requesterPid, long correlation) {
    }

    /** What the switchboard knows of one child, on the IPC thread. */
    private static final class Route {
        final Sender sender;
        /** Processes of one generation share their payload types: only they talk to each other. */
        int generation;
        Child.Phase phase = Child.Phase.STARTING;
        ChildConnection connection;
        final ArrayDeque<Object> held = new ArrayDeque<>();
        int heldMessages;
        long heldBytes;
        /**
         * Why the first message refused for want of room was refused; until it is ready every later one is refused
         * for the same reason, so what it gets is a run without gaps. {@code null} while there is room.
         */
        String heldFull;
        boolean flushPending;
        /** Since when its unsent bytes are over the limit; 0 while writable. */
        long behindSinceNanos;
        /** A worker that stopped reading misses state changes, and gets the whole state once it catches up. */
        boolean stateBehind;
        boolean slow;
        final List<Route> pausedSenders = new ArrayList<>(2);
        /** Requests delivered to this process and not yet answered, oldest first. */
        final Set<NotedRequest> unanswered = Collections.newSetFromMap(new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<NotedRequest, Boolean> eldest) {
                return size() > MAX_NOTED_REQUESTS;
            }
        });
        /**
         * What this process's requests came to while it was slow, by correlation: who answered (the reply was
         * dropped), or the {@link Undelivered} notice of a request that reached no one. It is told once it catches
         * up, so its requests fail then and not at their timeout (which may be far off).
         */
        final Map<Long, Object> missedOutcomes = new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Object> eldest) {
                return size() > MAX_NOTED_REQUESTS;
            }
        };

        Route(Sender sender) {
            this.sender = sender;
        }

        String describe() {
            return sender.describe();
        }
    }

    private final EventLoop loop;
    private final long masterPid = ProcessHandle.current().pid();
    private final Consumer<Envelope> masterInbox;
    /** Bytes of messages held for one child while it starts, at most: {@code clutch.ipc.maxPendingBytes}. */
    private final long maxHeldBytes;
    /** Reads bodies on the rare paths only. */
    private final Kryo kryo = MessageRegistry.framework().newKryo();
    private final Map<Long, Route> routes = new HashMap<>();
    /** Exited processes with requests unanswered, until their last replies have been read. */
    private final Map<Long, Route> exited = new HashMap<>();
    private final List<Route> readyWorkers = new ArrayList<>();
    private final List<Route> toFlush = new ArrayList<>();
    private boolean flushing;
    private Route agent;
    private final StateRelay state = new StateRelay();
    /** The generation of the processes launched from now on; a new agent with other payload types starts the next. */
    private int currentGeneration;

    /**
     * @param masterInbox gets replies and undeliverable notices for messages the master sent itself, on the IPC
     *     thread
     */
    Switchboard(EventLoop loop, Consumer<Envelope> masterInbox, long maxHeldBytes) {
        this.loop = loop;
        this.masterInbox = masterInbox;
        this.maxHeldBytes = maxHeldBytes;
    }

    // ---- from the life-cycle thread: each queues onto the IPC thread ----

    void launched(Child child) {
        Sender sender = child.sender();
        loop.execute(() -> {
            Route route = new Route(sender);
            route.generation = currentGeneration;
            routes.put(sender.pid(), route);
            if (sender.role() == Role.AGENT) {
                agent = route;
            }
        });
    }

    /** The child's message connection is authenticated: a worker gets the whole state first, then every change. */
    void attached(long pid, ChildConnection messages) {
        loop.execute(() -> {
            Route route = routes.get(pid);
            if (route == null) {
                return;
            }
            route.connection = messages;
            if (route.sender.role() == Role.WORKER) {
                sendState(route);
                flushAll();
            }
        });
    }

    @Override
    public void entered(Child child, Child.Phase phase) {
        long pid = child.pid();
        loop.execute(() -> {
            Route route = routes.get(pid);
            if (route == null || route.phase == phase) {
                return;
            }
            route.phase = phase;
            if (phase == Child.Phase.READY) {
                route.heldMessages = 0;
                route.heldBytes = 0;
                route.heldFull = null;
                while (!route.held.isEmpty()) {
                    Object message = route.held.poll();
                    String failure = deliver(message, route, null);
                    if (failure != null) {
                        undeliverable(message, null, failure);
                    } else {
                        noteRequests(message, route);
                    }
                    release(message);
                }
                if (route.sender.role() == Role.WORKER) {
                    readyWorkers.add(route);
                }
            } else {
                readyWorkers.remove(route);
                // Stopped or killed before it was ready: it never reads them, and later messages must not pass them.
                failHeld(route, route.describe() + " was stopped before it was ready");
            }
            flushAll();
        });
    }

    private void failHeld(Route route, String reason) {
        while (!route.held.isEmpty()) {
            Object message = route.held.poll();
            undeliverable(message, null, reason);
            release(message);
        }
        route.heldMessages = 0;
        route.heldBytes = 0;
    }

    void gone(long pid) {
        loop.execute(() -> {
            Route route = routes.remove(pid);
            if (route == null) {
                return;
            }
            readyWorkers.remove(route);
            if (agent == route) {
                agent = null;
                // A reload's new agent that never became ready: the workers keep the state they have.
                state.newAgentGone();
            }
            failHeld(route, route.describe() + " exited before it was ready");
            resumeSenders(route);
            if (!route.unanswered.isEmpty()) {
                failUnansweredOnceRead(route);
            }
            flushAll();
        });
    }

    /**
     * Tells the senders of the requests {@code route}'s process took and never answered, once what it wrote before
     * it exited has been read (an answer may still be on its way), or after {@link #LAST_REPLIES_WAIT_MILLIS}.
     */
    private void failUnansweredOnceRead(Route route) {
        long pid = route.sender.pid();
        exited.put(pid, route);
        Runnable tell = () -> {
            if (exited.remove(pid, route)) {
                String reason = route.describe() + " exited before it answered";
                for (NotedRequest request : route.unanswered) {
                    tellUnanswered(request, reason);
                }
                route.unanswered.clear();
                flushAll();
            }
        };
        if (route.connection != null) {
            route.connection.closeFuture().addListener(closed -> loop.execute(tell));
        }
        loop.schedule(tell, LAST_REPLIES_WAIT_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void tellUnanswered(NotedRequest request, String reason) {
        Unanswered notice = new Unanswered(request.correlation(), reason);
        if (request.requesterPid() == masterPid) {
            masterInbox.accept(new Envelope(null, Destination.process(masterPid), notice));
            return;
        }
        Route requester = routes.get(request.requesterPid());
        if (requester != null) {
            sendFromMaster(requester, notice);
        }
    }

    /**
     * Routes a message the master sends as itself (the control socket's messenger); {@code outcome} gets
     * {@code null} once it is on its way or held, or why it reached no one. On the IPC thread.
     */
    void sendAsMaster(Envelope envelope, Consumer<String> outcome) {
        loop.execute(() -> {
            String[] failure = new String[1];
            route(envelope.sender(), null, envelope.destination(), envelope, reason -> failure[0] = reason);
            flushAll();
            outcome.accept(failure[0]);
        });
    }

    /** Every process starts again: the next agent publishes from version 1, and there is no state until it is ready. */
    void resetState() {
        loop.execute(() -> state.reset(currentGeneration));
    }

    /** A reload's new agent is about to be launched: see {@link StateRelay}. */
    void newAgentStarting() {
        loop.execute(state::newAgentStarting);
    }

    /**
     * The starting agent is ready: its state replaces the old one in every worker at once; at a start, the workers
     * launched beside it get their first state, which their application code waits for.
     */
    void newAgentReady() {
        loop.execute(() -> {
            if (agent == null || !state.newAgentReady(agent.generation)) {
                return;
            }
            for (Route route : routes.values()) {
                if (route.sender.role() == Role.WORKER && !route.stateBehind) {
                    sendState(route);
                }
            }
            flushAll();
        });
    }

    /**
     * A reload stopped part-way: workers of the build the new agent replaced serve on, and get no more of its state
     * (they could not read it) nor messages from it, until a reload replaces them. The operator must hear of it.
     */
    void warnOfWorkersLeftOnTheOldBuild() {
        loop.execute(() -> {
            List<String> left = new ArrayList<>();
            for (Route route : routes.values()) {
                if (route.sender.role() == Role.WORKER && route.generation != state.servedGeneration()) {
                    left.add(route.describe());
                }
            }
            if (!left.isEmpty()) {
                log.warn("reload: {} of the old build serve on with its last shared state, which no longer changes, "
                        + "and cannot message the new build's processes until they are replaced: fix the new build "
                        + "and reload again", String.join(", ", left));
            }
        });
    }

    /**
     * The agent {@code agentPid} registers other payload types than the processes launched before it: a reload's new
     * build, a new generation. From now on it and the processes launched after it talk only among themselves, and
     * those of the old generation among themselves, keeping the state they have, until the reload has replaced them:
     * a message between the two fails as undeliverable instead of being read as the wrong type. On the IPC thread,
     * during the agent's hello.
     */
    void newPayloadTypes(long agentPid) {
        currentGeneration++;
        Route route = routes.get(agentPid);
        if (route != null) {
            route.generation = currentGeneration;
            // Held for it before its hello: sent by the old build.
            failHeld(route, route.describe() + " runs a new build, whose payload types differ from the sender's");
            flushAll();
        }
        log.warn("IPC: the new agent (pid {}) registers other payload types than the running processes: until the "
                + "reload has replaced them, messages between the old build and the new one fail as undeliverable",
                agentPid);
    }

    /**
     * The reload's new agent exited before it was ready: processes launched from now on belong with the agent whose
     * state is served, as the workers that serve on do, not with the build of the agent that failed.
     */
    void newAgentFailed() {
        loop.execute(() -> currentGeneration = state.servedGeneration());
    }

    /** The shared state as the master has it; safe from any thread. */
    StateSnapshot stateSnapshot() {
        return state.snapshot();
    }

    // ---- on the IPC thread ----

    /** Messages from one child to others, their frames stamped; takes ownership of the run. */
    void forward(ChildConnection from, Destination to, FrameRun run) {
        long pid = from.sender().pid();
        Route sender = routes.get(pid);
        Route replier = sender != null ? sender : exited.get(pid);
        if (replier != null && !replier.unanswered.isEmpty() && to.kind() == Destination.Kind.PROCESS) {
            EnvelopeFrames.forEachRequestOrReply(run.frames(), (kind, correlation) -> {
                if (kind == AppMessage.Kind.REPLY || kind == AppMessage.Kind.REPLY_FAILED) {
                    replier.unanswered.remove(new NotedRequest(to.pid(), correlation));
                }
            });
        }
        route(from.sender(), sender, to, run, null);
    }

    /** The end of one read: what its messages were written to leaves now, in few system calls. */
    void flushAll() {
        if (flushing) {
            // Called again from inside a flush (below): the loop already running flushes what was added.
            return;
        }
        flushing = true;
        try {
            // By index, not an iterator: a flush can make a connection writable again, and Netty says so at once,
            // inside it (writabilityChanged); what that sends (the state, lost-reply notices) joins this list then.
            for (int i = 0; i < toFlush.size(); i++) {
                Route route = toFlush.get(i);
                route.flushPending = false;
                if (route.connection != null) {
                    route.connection.flush();
                }
            }
            toFlush.clear();
        } finally {
            flushing = false;
        }
    }

    void writabilityChanged(ChildConnection connection) {
        Route route = routes.get(connection.sender().pid());
        if (route != null && route.connection == connection && connection.isWritable()) {
            if (route.slow) {
                log.info("IPC: {} has caught up with its messages", route.describe());
            }
            route.behindSinceNanos = 0;
            route.slow = false;
            tellMissedOutcomes(route);
            resumeSenders(route);
            if (route.stateBehind) {
                route.stateBehind = false;
                sendState(route);
                flushAll();
            }
        }
    }

    /**
     * A state change from the agent: applied, then sent to every connected worker, in order; kept aside while a
     * reload's new agent starts.
     */
    void stateChanged(long agentPid, StateChange sent) {
        if (agent == null || agent.sender.pid() != agentPid) {
            // A late frame of an agent replaced by a dev-mode restart or a reload: its state went with it.
            log.warn("IPC: state change {} from pid {}, which is not the running agent: ignored", sent.version(),
                    agentPid);
            return;
        }
        StateChange change = state.apply(sent);
        if (change == null) {
            return;
        }
        for (Route route : routes.values()) {
            if (route.sender.role() != Role.WORKER || route.stateBehind || !state.serves(route.generation)) {
                continue;
            }
            if (route.connection != null && !route.connection.isWritable()) {
                // Queued changes for a worker that reads nothing would grow without bound: one snapshot later
                // replaces them all.
                route.stateBehind = true;
                log.warn("IPC: {} is not reading its messages: it gets the whole state once it catches up",
                        route.describe());
                continue;
            }
            sendFromMaster(route, change);
        }
        flushAll();
    }

    /** A worker saw a gap in the versions: the whole state again. */
    void resync(long pid) {
        Route route = routes.get(pid);
        if (route != null) {
            sendState(route);
            flushAll();
        }
    }

    /** The whole state, to a worker of the agent's generation (one of another could not read it). */
    private void sendState(Route worker) {
        if (state.serves(worker.generation)) {
            sendFromMaster(worker, state.snapshot());
        }
    }

    private void sendFromMaster(Route route, Object body) {
        if (route.connection != null && route.connection.isOpen()) {
            route.connection.write(new Envelope(null, Destination.process(route.sender.pid()), body));
            markForFlush(route);
        }
    }

    /**
     * Routes a message (a run of frames, or an envelope from the master) and gives up this method's reference to
     * it.
     *
     * @param from the sending child's route, {@code null} for the master or an unknown sender
     * @param masterOutcome for the master's own sends: told why it reached no one
     */
    private void route(Sender sender, Route from, Destination to, Object message, Consumer<String> masterOutcome) {
        try {
            switch (to.kind()) {
                case PROCESS -> {
                    if (to.pid() == masterPid) {
                        toMaster(message, from, masterOutcome);
                        return;
                    }
                    Route target = routes.get(to.pid());
                    if (target == null) {
                        fail(message, from, masterOutcome, "no process of this cluster has pid " + to.pid());
                    } else {
                        deliverOrHold(message, target, from, masterOutcome);
                    }
                }
                case AGENT -> {
                    if (agent == null) {
                        fail(message, from, masterOutcome, "the agent is not running");
                    } else {
                        deliverOrHold(message, agent, from, masterOutcome);
                    }
                }
                case WORKERS -> deliverToAll(message, readyWorkers, from, masterOutcome, "no ready worker");
                case RANDOM_WORKER -> {
                    Route pick = randomWorkerKeepingUp(from);
                    if (pick != null) {
                        deliverToOne(message, pick, from, masterOutcome);
                    } else {
                        fail(message, from, masterOutcome, readyWorkers.isEmpty() ? "no ready worker"
                                : readyWorkers.stream().noneMatch(w -> betweenGenerations(from, w) == null)
                                ? "no ready worker runs the sender's build (a reload is replacing it)"
                                : "no ready worker is keeping up with its messages (each one's pending messages are "
                                + "over clutch.ipc.maxPendingBytes)");
                    }
                }
                case EVERYONE -> {
                    List<Route> everyone = new ArrayList<>(readyWorkers.size() + 1);
                    if (agent != null && agent.phase == Child.Phase.READY) {
                        everyone.add(agent);
                    }
                    everyone.addAll(readyWorkers);
                    deliverToAll(message, everyone, from, masterOutcome, "no ready process");
                }
                default -> fail(message, from, masterOutcome, "the master routes no messages to " + to);
            }
        } finally {
            release(message);
        }
    }

    /**
     * One ready worker, chosen at random among those that are not behind with their messages, share the sender's
     * payload types and are still connected (one whose connection closed is gone, even before its exit is seen).
     */
    private Route randomWorkerKeepingUp(Route from) {
        Route pick = null;
        int candidates = 0;
        for (Route worker : readyWorkers) {
            if (!worker.slow && (from == null || from.generation == worker.generation)
                    && worker.connection != null && worker.connection.isOpen()
                    && ThreadLocalRandom.current().nextInt(++candidates) == 0) {
                pick = worker;
            }
        }
        return pick;
    }

    private void deliverToAll(Object message, List<Route> targets, Route from, Consumer<String> masterOutcome,
                              String whenNone) {
        if (targets.isEmpty()) {
            fail(message, from, masterOutcome, whenNone);
            return;
        }
        for (Route target : targets) {
            String failure = deliver(message, target, from);
            if (failure != null) {
                fail(message, from, masterOutcome, failure);
            }
        }
    }

    private void deliverOrHold(Object message, Route target, Route from, Consumer<String> masterOutcome) {
        if (target.phase != Child.Phase.STARTING) {
            deliverToOne(message, target, from, masterOutcome);
        } else if (message instanceof FrameRun run && EnvelopeFrames.anyReply(run.frames())) {
            // The answers to requests a process makes while it starts (a hook that asks the agent and waits) go to
            // it at once: held until it is ready, they would only time out. Slices: deliver and hold copy them.
            for (ByteBuf frame : EnvelopeFrames.split(run.frames())) {
                if (EnvelopeFrames.anyReply(frame)) {
                    deliverToOne(new FrameRun(frame, 1), target, from, masterOutcome);
                } else {
                    hold(new FrameRun(frame, 1), target, from, masterOutcome);
                }
            }
        } else {
            hold(message, target, from, masterOutcome);
        }
    }

    /** Keeps a message for a process that is starting until it is ready, within the bounds on what it holds. */
    private void hold(Object message, Route target, Route from, Consumer<String> masterOutcome) {
        // What is delivered is checked in deliver(); what is held, here: it is delivered unchecked later.
        String apart = betweenGenerations(from, target);
        if (apart != null) {
            fail(message, from, masterOutcome, apart);
            return;
        }
        int count = message instanceof FrameRun run ? run.count() : 1;
        long bytes = message instanceof FrameRun run ? run.frames().readableBytes() : 0;
        if (target.heldFull == null && target.heldMessages + count > MAX_HELD) {
            target.heldFull = target.describe() + " is still starting and already holds " + target.heldMessages
                    + " messages (at most " + MAX_HELD + ")";
        } else if (target.heldFull == null && target.heldBytes + bytes > maxHeldBytes) {
            target.heldFull = target.describe() + " is still starting and already holds " + target.heldBytes
                    + " bytes of messages (at most clutch.ipc.maxPendingBytes, " + maxHeldBytes + ")";
        }
        if (target.heldFull != null) {
            fail(message, from, masterOutcome, target.heldFull);
        } else {
            // A copy: a held slice would pin the whole read buffer it came in.
            target.held.add(message instanceof FrameRun run ? new FrameRun(run.frames().copy(), count) : message);
            target.heldMessages += count;
            target.heldBytes += bytes;
        }
    }

    /** Delivers to one process; the requests among the message are noted until it answers them. */
    private void deliverToOne(Object message, Route target, Route from, Consumer<String> masterOutcome) {
        String failure = deliver(message, target, from);
        if (failure != null) {
            if (target.slow) {
                noteMissedReplies(message, target, from);
            }
            fail(message, from, masterOutcome, failure);
        } else {
            noteRequests(message, target);
        }
    }

    private static void noteMissedReplies(Object message, Route target, Route from) {
        String replier = from != null ? from.describe() : "the master";
        if (message instanceof FrameRun run) {
            EnvelopeFrames.forEachRequestOrReply(run.frames(), (kind, correlation) -> {
                if (kind == AppMessage.Kind.REPLY || kind == AppMessage.Kind.REPLY_FAILED) {
                    target.missedOutcomes.put(correlation, replier);
                }
            });
        } else if (message instanceof Envelope envelope && envelope.body() instanceof AppMessage app
                && (app.kind() == AppMessage.Kind.REPLY || app.kind() == AppMessage.Kind.REPLY_FAILED)) {
            target.missedOutcomes.put(app.correlation(), replier);
        }
    }

    /**
     * A process that caught up learns what became of its requests while it was slow: their replies and failure
     * notices were dropped (holding them would let a stuck requester grow the master's memory), so they fail now.
     */
    private void tellMissedOutcomes(Route route) {
        if (route.missedOutcomes.isEmpty()) {
            return;
        }
        log.warn("IPC: {} missed what became of {} of its requests while it was not keeping up: those requests "
                + "fail", route.describe(), route.missedOutcomes.size());
        route.missedOutcomes.forEach((correlation, outcome) -> sendFromMaster(route, outcome instanceof Undelivered
                ? outcome
                : new AppMessage(AppMessage.Kind.REPLY_FAILED, "", (outcome + " answered, but the answer was dropped: "
                + route.describe() + " was not keeping up with its messages (over clutch.ipc.maxPendingBytes for "
                + TimeUnit.NANOSECONDS.toMillis(SLOW_RECEIVER_GRACE_NANOS) + " ms); the request may have done its "
                + "work").getBytes(StandardCharsets.UTF_8), correlation)));
        route.missedOutcomes.clear();
        flushAll();
    }

    private static void noteRequests(Object message, Route target) {
        if (message instanceof FrameRun run) {
            // A run is one sender's, stamped by this master: its first frame names it.
            long requester = EnvelopeFrames.senderPid(run.frames());
            EnvelopeFrames.forEachRequestOrReply(run.frames(), (kind, correlation) -> {
                if (kind == AppMessage.Kind.REQUEST) {
                    target.unanswered.add(new NotedRequest(requester, correlation));
                }
            });
        } else if (message instanceof Envelope envelope && envelope.body() instanceof AppMessage app
                && app.kind() == AppMessage.Kind.REQUEST) {
            target.unanswered.add(new NotedRequest(envelope.sender().pid(), app.correlation()));
        }
    }

    /** Why {@code from} cannot reach {@code target}, or {@code null}: see {@link #newPayloadTypes}. */
    private static String betweenGenerations(Route from, Route target) {
        return from == null || from.generation == target.generation ? null : target.describe() + " runs another "
                + "build of the application than " + from.describe() + ", with other payload types (a reload is "
                + "replacing the old build)";
    }

    /** Writes the message to {@code target}; returns why it could not, or {@code null}. */
    private String deliver(Object message, Route target, Route from) {
        String apart = betweenGenerations(from, target);
        if (apart != null) {
            return apart;
        }
        ChildConnection connection = target.connection;
        if (connection == null || !connection.isOpen()) {
            return target.describe() + " is gone";
        }
        if (target.slow) {
            return target.describe() + " is not keeping up: its pending messages have been over "
                    + "clutch.ipc.maxPendingBytes for " + TimeUnit.NANOSECONDS.toMillis(SLOW_RECEIVER_GRACE_NANOS)
                    + " ms";
        }
        if (message instanceof FrameRun run) {
            // A receiver that falls behind keeps what is written to it for a while: a copy then, since a slice
            // would pin the whole read buffer it came in, and the pending limit counts only the slice.
            connection.write(connection.isFallingBehind() ? run.frames().copy() : run.frames().retainedDuplicate());
        } else {
            connection.write(message);
        }
        markForFlush(target);
        if (!connection.isWritable()) {
            fallingBehind(target, from);
        }
        return null;
    }

    private void markForFlush(Route route) {
        if (!route.flushPending) {
            route.flushPending = true;
            toFlush.add(route);
        }
    }

    private void fallingBehind(Route target, Route from) {
        if (target.behindSinceNanos == 0) {
            long since = System.nanoTime();
            target.behindSinceNanos = since;
            loop.schedule(() -> {
                if (target.behindSinceNanos == since && routes.get(target.sender.pid()) == target) {
                    log.warn("IPC: {} is not keeping up: its pending messages have been over "
                            + "clutch.ipc.maxPendingBytes for {} ms; messages for it fail until it catches up",
                            target.describe(), TimeUnit.NANOSECONDS.toMillis(SLOW_RECEIVER_GRACE_NANOS));
                    target.slow = true;
                    resumeSenders(target);
                }
            }, SLOW_RECEIVER_GRACE_NANOS, TimeUnit.NANOSECONDS);
        }
        if (from != null && from.connection != null && !target.pausedSenders.contains(from)) {
            target.pausedSenders.add(from);
            from.connection.reading(false);
        }
    }

    /** Lets the senders held back by {@code target} read on, unless another receiver still holds them. */
    private void resumeSenders(Route target) {
        List<Route> paused = List.copyOf(target.pausedSenders);
        target.pausedSenders.clear();
        for (Route sender : paused) {
            boolean stillHeld = routes.values().stream().anyMatch(r -> r.pausedSenders.contains(sender));
            if (!stillHeld && sender.connection != null) {
                sender.connection.reading(true);
            }
        }
    }

    /** Only replies may be addressed to the master: they answer its control socket's requests. */
    private void toMaster(Object message, Route from, Consumer<String> masterOutcome) {
        for (Envelope envelope : read(message)) {
            if (envelope.body() instanceof AppMessage m
                    && (m.kind() == AppMessage.Kind.REPLY || m.kind() == AppMessage.Kind.REPLY_FAILED)) {
                masterInbox.accept(envelope);
            } else {
                fail(envelope, from, masterOutcome,
                        "the master takes no application messages: send to the agent or a worker");
            }
        }
    }

    /** Tells the sender; a reply that cannot be delivered has no one left to tell. */
    private void fail(Object message, Route from, Consumer<String> masterOutcome, String reason) {
        if (masterOutcome != null) {
            // The master's own message: the control client hears of a send now; a request fails through its notice.
            masterOutcome.accept(reason);
            if (!(message instanceof Envelope envelope && envelope.body() instanceof AppMessage app
                    && app.kind() == AppMessage.Kind.REQUEST)) {
                return;
            }
        }
        undeliverable(message, from, reason);
    }

    private void undeliverable(Object message, Route from, String reason) {
        for (Envelope envelope : read(message)) {
            undeliverable(envelope, from, reason);
        }
    }

    private void undeliverable(Envelope envelope, Route from, String reason) {
        AppMessage app = envelope.body() instanceof AppMessage m ? m : null;
        String action = app != null ? app.action() : envelope.body().getClass().getSimpleName();
        long correlation = app != null && app.kind() == AppMessage.Kind.REQUEST ? app.correlation() : 0;
        boolean tellSender = app == null || app.kind() == AppMessage.Kind.SEND
                || app.kind() == AppMessage.Kind.REQUEST;
        Sender sender = envelope.sender();
        Undelivered notice = new Undelivered(action, correlation, reason);
        if (tellSender && sender.role() == Role.MASTER && correlation != 0) {
            masterInbox.accept(new Envelope(sender, Destination.process(masterPid), notice));
            return;
        }
        Route senderRoute = from != null ? from : routes.get(sender.pid());
        boolean senderReachable = senderRoute != null && senderRoute.connection != null
                && senderRoute.connection.isOpen();
        if (tellSender && senderReachable && !senderRoute.slow
                && (correlation != 0 || senderRoute.connection.isWritable())) {
            senderRoute.connection.write(new Envelope(null, Destination.process(sender.pid()), notice));
            markForFlush(senderRoute);
            if (!senderRoute.connection.isWritable()) {
                // A sender that does not read what the master writes it (its handlers are stuck) would have a
                // notice per failed request pile up here: it is held back like any sender to a slow receiver, and
                // past the grace its requests fail at their timeout instead.
                fallingBehind(senderRoute, senderRoute);
            }
        } else {
            // A send's notice to a sender that is not reading is dropped at once: no one waits for it. A request's
            // waits until the sender catches up, since its timeout may be far off (a schedule run's is a year).
            boolean owed = tellSender && senderReachable && correlation != 0;
            if (owed) {
                senderRoute.missedOutcomes.put(correlation, notice);
            }
            String why = !tellSender || !senderReachable ? ""
                    : owed ? " (its sender is not reading its messages: told once it catches up)"
                    : " (its sender is not reading its messages: not told)";
            reachedNoOneLog.log(heldBack -> log.warn("IPC: '{}' from {} to {} reached no one: {}{}{}", action,
                    sender.describe(), envelope.destination(), reason, why, LogThrottle.andMore(heldBack)));
        }
    }

    /** The envelopes of a run of frames (each that reads; the others logged), or the envelope itself. */
    private List<Envelope> read(Object message) {
        if (message instanceof Envelope envelope) {
            return List.of(envelope);
        }
        List<Envelope> envelopes = new ArrayList<>();
        for (ByteBuf frame : EnvelopeFrames.split(((FrameRun) message).frames())) {
            try {
                envelopes.add(EnvelopeFrames.read(kryo, frame));
            } catch (RuntimeException e) {
                log.error("IPC: a message from {} does not read ({}); dropped", EnvelopeFrames.sender(frame),
                        e.getMessage());
            }
        }
        return envelopes;
    }

    private static void release(Object message) {
        if (message instanceof FrameRun run) {
            run.frames().release();
        }
    }
}
