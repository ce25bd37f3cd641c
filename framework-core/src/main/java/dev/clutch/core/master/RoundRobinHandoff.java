package dev.clutch.core.master;

import dev.clutch.core.config.ClutchConfig;
import dev.clutch.core.ipc.ChildConnection;
import dev.clutch.core.ipc.IpcTransport;
import dev.clutch.core.logging.Plural;
import dev.clutch.core.logging.LogThrottle;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.unix.UnixChannel;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code rr} policy: the master accepts each connection and passes its descriptor to the next ready worker, so
 * the spread is even. A worker never has more than {@code clutch.cluster.handoffWindow} connections handed to it
 * and not yet taken (an unbounded send breaks the Unix socket for good); when every worker is at its window, new
 * connections wait in a bounded queue, and past that they get a 503. So does a connection that waits longer than
 * {@code clutch.http.queueTimeout} (no worker ready, or every one at its window).
 *
 * <p>Hand-offs run on the master's IPC thread (its group has one thread, so the rotation index and the waiting
 * queue need no lock); the rotation is published by the master's thread.
 */
final class RoundRobinHandoff implements PortSharing {

    private static final Logger log = LoggerFactory.getLogger(RoundRobinHandoff.class);
    private static final int MAX_WAITING = 4096;
    private static final String STOPPING = "the server is stopping; try again shortly";
    /** How often waiting connections are checked against {@code clutch.http.queueTimeout}. */
    private static final long SWEEP_MILLIS = 100;
    private static final LogThrottle expiredLog = new LogThrottle(Duration.ofSeconds(10));
    private static final LogThrottle fullLog = new LogThrottle(Duration.ofSeconds(10));
    private static final LogThrottle halfClosedLog = new LogThrottle(Duration.ofSeconds(10));

    private final String host;
    private final int window;
    private final Map<Long, Target> targets = new ConcurrentHashMap<>();
    private final Deque<Waiting> waiting = new ArrayDeque<>();
    private final Duration queueTimeout;
    private final Set<Long> readyWithoutDescriptors = new HashSet<>();
    private boolean sweeping;
    /** Set on the IPC thread once the cluster stops for good. */
    private boolean stopping;
    private volatile List<Target> rotation = List.of();
    private long next;
    private Channel server;

    /** A connection no worker could take yet, oldest first. */
    private record Waiting(Channel connection, long sinceNanos) {
    }

    /** One worker's descriptor connection and its hand-off counts. */
    private static final class Target {
        final long pid;
        final ChildConnection descriptors;
        final AtomicLong sent = new AtomicLong();
        volatile long taken;
        volatile boolean leaving;
        /** Its heartbeats are late: frozen, or an event loop stuck; skipped until one comes. */
        volatile boolean silent;

        Target(long pid, ChildConnection descriptors) {
            this.pid = pid;
            this.descriptors = descriptors;
        }

        boolean hasRoom(int window) {
            return sent.get() - taken < window;
        }
    }

    private RoundRobinHandoff(String host, int window, Duration queueTimeout) {
        this.host = host;
        this.window = window;
        this.queueTimeout = queueTimeout;
    }

    static RoundRobinHandoff bind(IpcTransport transport, EventLoopGroup group, ClutchConfig config)
            throws IOException {
        RoundRobinHandoff handoff = new RoundRobinHandoff(config.httpHost(), config.handoffWindow(),
                config.queueTimeout());
        handoff.server = ListeningSockets.bind(transport, group, config.httpHost(), config.httpPort(),
                config.httpBacklog(), true, false, handoff.acceptor());
        return handoff;
    }

    private ChannelHandler acceptor() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                handOff(ctx.channel(), System.nanoTime(), false);
            }

            /**
             * Called only for a client that ended its side (a half-close) while its connection waited: Netty's epoll
             * transport then reads the socket although its reads are off. The bytes cannot go along with the
             * descriptor, so the connection cannot be handed off any more: it gets the master's 503 now, rather than
             * nothing when the master closes it at the end of its input.
             */
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object message) {
                Channel connection = ctx.channel();
                if (!waiting.removeIf(w -> w.connection() == connection)) {
                    // Being answered already: the 503's handler reads the request's first bytes.
                    ctx.fireChannelRead(message);
                    return;
                }
                halfClosedLog.log(heldBack -> log.info("rr: {} ended its side while it waited for a worker: answered "
                        + "503{}", connection.remoteAddress(), LogThrottle.andMore(heldBack)));
                ServiceUnavailable.answer(connection, "no worker took the connection before the client ended its "
                        + "side of it (a half-close): none was ready, or all were busy; try again shortly");
                ctx.fireChannelRead(message);
            }

            @Override
            public boolean isSharable() {
                return true;
            }
        };
    }

    /**
     * On the IPC thread: pass the connection to the next worker with room, or queue it.
     *
     * @param sinceNanos when it was accepted: its time in the queue counts from then, also after a failed hand-off
     * @param retried after a failed hand-off: it had its turn already, so it goes first
     */
    private void handOff(Channel connection, long sinceNanos, boolean retried) {
        if (stopping) {
            ServiceUnavailable.answer(connection, STOPPING);
            return;
        }
        // Not ahead of the connections already waiting: room freed by a worker goes to them first.
        Target target = waiting.isEmpty() || retried ? nextWithRoom() : null;
        if (target != null && send(target, connection, sinceNanos)) {
            return;
        }
        if (waiting.size() < MAX_WAITING) {
            if (retried) {
                waiting.addFirst(new Waiting(connection, sinceNanos));
            } else {
                waiting.addLast(new Waiting(connection, sinceNanos));
            }
            sweepLater(connection.eventLoop());
            drainWaiting();
        } else {
            fullLog.log(heldBack -> log.warn("rr: {} connections wait for a worker already: answered 503 to {}{}",
                    MAX_WAITING, connection.remoteAddress(), LogThrottle.andMore(heldBack)));
            ServiceUnavailable.answer(connection, "the server has " + MAX_WAITING + " connections waiting for a "
                    + "worker already; try again shortly");
        }
    }

    private Target nextWithRoom() {
        List<Target> ready = rotation;
        for (int i = 0; i < ready.size(); i++) {
            Target candidate = ready.get((int) (next++ % ready.size()));
            if (!candidate.leaving && !candidate.silent && candidate.hasRoom(window)
                    && candidate.descriptors.isOpen()) {
                return candidate;
            }
        }
        return null;
    }

    /** Hands the connection over; false, and nothing sent, if the worker began leaving meanwhile. */
    private boolean send(Target target, Channel connection, long sinceNanos) {
        // Count first, then look at leaving; the master sets leaving first, then reads the count (allTaken). So
        // either the master sees this hand-off and waits for it, or this thread sees leaving and backs off.
        target.sent.incrementAndGet();
        if (target.leaving) {
            target.sent.decrementAndGet();
            return false;
        }
        target.descriptors.sendDescriptor(((UnixChannel) connection).fd()).addListener(written -> {
            if (written.isSuccess()) {
                // The worker holds its own copy now; the master's copy goes.
                connection.close();
                return;
            }
            target.sent.decrementAndGet();
            log.error("rr: could not hand a connection to pid {} ({}): the client goes to another worker, and pid {} "
                    + "gets no more connections: it is replaced", target.pid, written.cause().toString(),
                    target.pid);
            // The worker never got it, so the client is not lost. Closing the broken connection (Netty's auto-close
            // does too, for an I/O error) takes that worker out of the choice, so the client cannot come back to it.
            target.descriptors.close();
            server.eventLoop().execute(() -> {
                if (connection.isOpen()) {
                    handOff(connection, sinceNanos, true);
                }
            });
        });
        return true;
    }

    private void drainWaiting() {
        while (!waiting.isEmpty()) {
            Target target = nextWithRoom();
            if (target == null) {
                return;
            }
            Waiting first = waiting.peek();
            Channel connection = first.connection();
            if (!connection.isOpen()) {
                waiting.poll();
            } else if (send(target, connection, first.sinceNanos())) {
                waiting.poll();
            }
        }
    }

    /** On the IPC thread: one sweep at a time, while connections wait. */
    private void sweepLater(EventLoop loop) {
        if (!sweeping) {
            sweeping = true;
            loop.schedule(() -> sweep(loop), SWEEP_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** Answers 503 to the connections that waited past the queue timeout; the queue is oldest first. */
    private void sweep(EventLoop loop) {
        sweeping = false;
        // A client that gave up while it waited leaves the queue: it would hold a place others need. Here, once a
        // sweep, rather than a scan of the queue at every close while it is long.
        waiting.removeIf(w -> !w.connection().isOpen());
        long now = System.nanoTime();
        int expired = 0;
        while (!waiting.isEmpty() && now - waiting.peek().sinceNanos() >= queueTimeout.toNanos()) {
            Channel connection = waiting.poll().connection();
            if (connection.isOpen()) {
                ServiceUnavailable.answer(connection, "no worker took the connection within "
                        + queueTimeout.toMillis() + " ms (clutch.http.queueTimeout): none is ready, or all are busy; "
                        + "try again shortly");
                expired++;
            }
        }
        if (expired > 0) {
            int answered = expired;
            expiredLog.log(heldBack -> log.warn("rr: no worker took {} connections within {} ms "
                    + "(clutch.http.queueTimeout): answered 503{}", answered, queueTimeout.toMillis(),
                    LogThrottle.andMore(heldBack)));
        }
        if (!waiting.isEmpty()) {
            sweepLater(loop);
        }
    }

    @Override
    public void descriptorsConnected(long pid, ChildConnection descriptors) {
        targets.put(pid, new Target(pid, descriptors));
        // Ready and the descriptor connection travel on different connections: either may be seen first.
        if (readyWithoutDescriptors.remove(pid)) {
            workerReady(pid);
        }
    }

    @Override
    public void workerReady(long pid) {
        Target target = targets.get(pid);
        if (target == null) {
            readyWithoutDescriptors.add(pid);
            return;
        }
        List<Target> updated = new ArrayList<>(rotation);
        updated.add(target);
        rotation = List.copyOf(updated);
        server.eventLoop().execute(this::drainWaiting);
    }

    @Override
    public void workerSilent(long pid, boolean silent) {
        Target target = targets.get(pid);
        if (target != null) {
            target.silent = silent;
            if (!silent) {
                server.eventLoop().execute(this::drainWaiting);
            }
        }
    }

    @Override
    public void workerLeaving(long pid) {
        readyWithoutDescriptors.remove(pid);
        Target target = targets.get(pid);
        if (target != null) {
            target.leaving = true;
        }
        rotation = rotation.stream().filter(t -> t.pid != pid).toList();
    }

    @Override
    public void workerExited(long pid) {
        workerLeaving(pid);
        readyWithoutDescriptors.remove(pid);
        targets.remove(pid);
    }

    @Override
    public void taken(long pid, long total) {
        Target target = targets.get(pid);
        if (target != null) {
            // A worker cannot have taken more than it was sent, nor fewer than it said before.
            target.taken = Math.max(target.taken, Math.min(total, target.sent.get()));
            server.eventLoop().execute(this::drainWaiting);
        }
    }

    @Override
    public long untaken(long pid) {
        Target target = targets.get(pid);
        return target == null || !target.descriptors.isOpen() ? 0 : target.sent.get() - target.taken;
    }

    @Override
    public int port() {
        return ListeningSockets.portOf(server);
    }

    @Override
    public String host() {
        return host;
    }

    @Override
    public void stopAccepting() {
        server.eventLoop().execute(() -> {
            // The workers are leaving: a connection left waiting would only be reset when the master exits.
            stopping = true;
            server.close();
            int answered = 0;
            for (Waiting w = waiting.poll(); w != null; w = waiting.poll()) {
                if (w.connection().isOpen()) {
                    ServiceUnavailable.answer(w.connection(), STOPPING);
                    answered++;
                }
            }
            if (answered > 0) {
                log.info("rr: the server is stopping: answered 503 to {} waiting for a worker",
                        Plural.of(answered, "connection"));
            }
        });
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
    }
}
