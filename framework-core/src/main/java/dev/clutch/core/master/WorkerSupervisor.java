package dev.clutch.core.master;

import dev.clutch.core.alarm.Alarms;
import dev.clutch.core.api.Role;
import dev.clutch.core.config.ClutchConfig;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the workers at their target count once the cluster runs: replaces workers that died (within the refork
 * limit, then with backoff), replaces a worker that hit a fatal error before draining it, and kills hung workers
 * after asking for a thread dump. Every step is idempotent and runs on each tick of the master's loop.
 */
final class WorkerSupervisor {

    /** Between asking a hung JVM for its thread dump and killing it. */
    private static final long DUMP_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final Logger log = LoggerFactory.getLogger(WorkerSupervisor.class);
    /** Between a worker's lost descriptor connection and its replacement: time for its exit, if it died, to be seen. */
    private static final long DESCRIPTORS_LOST_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Resident memory is read from /proc at most this often. */
    private static final long MEMORY_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** The master's side effects the supervisor needs. */
    interface Actions {
        /** Launches a worker for {@code slot}; {@code null} if the launch failed. */
        Child launchWorker(int slot);

        /** What the last launch that failed threw. */
        String lastLaunchFailure();

        /** Asks a worker to drain and stop. */
        void stop(Child worker);

        /** Hands a worker no more connections: it is about to be killed. */
        void withdraw(Child worker);

        /** Hands a worker no new connections while its heartbeats are late ({@code silent}), or again. */
        void silent(Child worker, boolean silent);

        /** Kills a worker now. */
        void kill(Child worker);
    }

    /** Replaced by a reload that takes new limits from the application's files. */
    private ClutchConfig config;
    private final ProcessTable table;
    private ReforkLimiter limiter;
    private final Alarms alarms;
    private final Actions actions;
    private final Map<Integer, Integer> forksPerSlot = new HashMap<>();
    private long nextMemoryCheckNanos;
    private int target;
    private RollingReload reload;

    WorkerSupervisor(ClutchConfig config, ProcessTable table, Alarms alarms, Actions actions) {
        this.config = config;
        this.table = table;
        this.limiter = new ReforkLimiter(config.reforkLimit(), config.reforkWindow());
        this.alarms = alarms;
        this.actions = actions;
        this.target = config.workers();
    }

    /**
     * A reload's new limits, from the application's files: recycling by requests and memory from the next check,
     * the refork limit from the next fork when it changed. The number of workers stays the target as it is.
     */
    void apply(ClutchConfig next) {
        if (next.reforkLimit() != config.reforkLimit() || !next.reforkWindow().equals(config.reforkWindow())) {
            limiter = limiter.withLimits(next.reforkLimit(), next.reforkWindow());
        }
        if (next.maxRequests() != config.maxRequests() || next.maxRequestsJitter() != config.maxRequestsJitter()) {
            // Each worker's limit is drawn again from the new ones, also for workers a reload leaves in place.
            table.workers().forEach(worker -> worker.requestLimit(0));
        }
        config = next;
    }

    /** How many workers the cluster should have. */
    int target() {
        return target;
    }

    /** Times the worker of {@code slot} was replaced. */
    int restarts(int slot) {
        return Math.max(0, forksPerSlot.getOrDefault(slot, 0) - 1);
    }

    /**
     * Dev mode's start on rebuilt classes: each worker launched then is a slot's first again, and the reforks of the
     * cluster that was stopped count no more. The target stays what {@code scale} set.
     */
    void startedAgain() {
        forksPerSlot.clear();
        limiter = new ReforkLimiter(config.reforkLimit(), config.reforkWindow());
    }

    /** Counts a worker launched during the boot, before supervision starts. */
    void booted(Child worker) {
        forksPerSlot.merge(worker.workerId(), 1, Integer::sum);
    }

    /**
     * Sets the number of workers: new slots are filled on the next tick, workers of slots past {@code workers}
     * drain and stop.
     */
    void scale(int workers) {
        target = workers;
        // A slot scaled away and back later starts afresh: its first worker then is planned, not a refork.
        forksPerSlot.keySet().removeIf(slot -> slot > workers);
        for (Child worker : table.workers()) {
            if (worker.workerId() > workers && worker.phase() != Child.Phase.STOPPING) {
                actions.stop(worker);
            }
        }
        if (reload != null && (scaledAway(reload.current()) || scaledAway(reload.awaited()))) {
            // The worker the reload waited for was just stopped with its slot: it will never be ready.
            nextReloadStep();
        }
    }

    private boolean scaledAway(Child worker) {
        return worker != null && worker.workerId() > target;
    }

    /**
     * Starts replacing every worker, one at a time: fork the new one, wait until it is ready, drain the old one,
     * go on. {@code done} gets {@code null} when all were replaced, or why the reload stopped.
     */
    boolean startReload(java.util.function.Consumer<String> done, long nowNanos) {
        if (reload != null) {
            return false;
        }
        // A worker still starting was launched before the reload, maybe from the build before it: replaced too.
        reload = new RollingReload(table.workers().stream().filter(w -> !w.isRetiring()
                && (w.phase() == Child.Phase.READY || w.phase() == Child.Phase.STARTING)).toList(), done);
        nextReloadStep();
        return true;
    }

    boolean reloading() {
        return reload != null;
    }

    private void nextReloadStep() {
        Child old = reload.next();
        while (old != null && (isGone(old) || old.isRetiring() || old.workerId() > target)) {
            // Gone, already being replaced, or scaled away since the reload began.
            old = reload.next();
        }
        if (old == null) {
            finishReload(null);
            return;
        }
        if (old.isStarting()) {
            reload.await(old);
            return;
        }
        replaceInReload(old);
    }

    private void replaceInReload(Child old) {
        reload.await(null);
        Child replacement = launch(old.workerId(), old);
        if (replacement == null) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("role", Role.WORKER.label());
            details.put("workerId", old.workerId());
            abortReload("cannot launch a new worker-" + old.workerId() + ": " + actions.lastLaunchFailure(), details,
                    List.of());
            return;
        }
        reload.started(replacement);
    }

    /** How a worker that died is replaced: "replacing it", or when the refork limit holds the replacement back. */
    String replacement(long nowNanos) {
        long waitMillis = limiter.waitFrom(nowNanos).toMillis();
        return waitMillis == 0 ? "replacing it" : "its replacement waits " + waitMillis + " ms ("
                + (limiter.failedBoots() >= ReforkLimiter.FAILED_BOOTS_BEFORE_BACKOFF
                ? "the workers before it exited before they were ready"
                : "clutch.worker.refork.limit: workers died too often") + ")";
    }

    /**
     * A worker died, or timed out before it was ready: the current reload step's new one ends the reload; a
     * replacement that never became ready counts towards the wait between replacements.
     */
    void workerFailed(Child worker, String how, long nowNanos) {
        Map<String, Object> details = details(worker);
        details.put("exit", how);
        if (reload != null && reload.current() == worker) {
            abortReload("the new " + worker.describe() + " " + how + (worker.phase() == Child.Phase.READY
                    ? " in a didReady hook, after it reported ready" : " before it was ready"), details,
                    worker.process().lastStderrLines());
        } else if (worker.isStarting() && limiter.failedBeforeReady(nowNanos)) {
            details.put("failedInARow", limiter.failedBoots());
            details.put("nextForkAfterMillis", limiter.currentBackoff().toMillis());
            alarms.raise("crash-loop", limiter.failedBoots() + " workers in a row exited before they were ready, "
                    + "the last " + worker.describe() + " (" + how + "): replacements now wait "
                    + limiter.currentBackoff().toMillis() + " ms, doubling up to " + ReforkLimiter.MAX_BACKOFF
                    .toSeconds() + " s, until one is ready; its log says why it failed", details,
                    worker.process().lastStderrLines());
        }
    }

    /**
     * Ends the reload for a reason outside the workers (its new agent died after it was ready): the new worker still
     * starting stops too, and the workers not yet replaced serve on.
     */
    void abortReload(String why, Map<String, Object> details) {
        if (reload == null) {
            return;
        }
        Child starting = reload.current();
        if (starting != null && !isGone(starting)) {
            // Once ready it would drain the worker it replaces: one more worker on the build that failed.
            starting.replacing(null);
            actions.stop(starting);
        }
        abortReload(why, details, List.of());
    }

    /** Ends the reload where it is, with the {@code reload-aborted} alarm: the workers not yet replaced serve on. */
    private void abortReload(String why, Map<String, Object> details, List<String> stderr) {
        alarms.raise("reload-aborted", "reload aborted: " + why + "; the old workers keep serving", details, stderr);
        finishReload(why);
    }

    private void finishReload(String failure) {
        RollingReload finished = reload;
        reload = null;
        finished.done().accept(failure);
    }

    /** Abandons a reload (the master is stopping). */
    void cancelReload() {
        if (reload != null) {
            finishReload("the master is stopping");
        }
    }

    /** A worker's fatal error: fork its replacement now; the worker drains once the replacement is ready. */
    void fatalError(Child worker, String error, long nowNanos) {
        replaceBroken(worker, "hit a fatal error (" + error + ")", nowNanos);
    }

    /**
     * A worker that cannot go on serving as it should ({@code what} happened to it): its replacement is forked now,
     * within the refork limit, and it drains once the replacement is ready.
     */
    private void replaceBroken(Child worker, String what, long nowNanos) {
        if (worker.isRetiring() || worker.phase() == Child.Phase.STOPPING) {
            return;
        }
        worker.retire();
        if (replacementOf(worker) != null) {
            // A reload or a recycling step is already starting its replacement: a second one would be one too many.
            log.error("{} {}: it drains once its replacement, already starting, is ready", worker.describe(), what);
            return;
        }
        log.error("{} {}: forking its replacement, then it drains", worker.describe(), what);
        if (limiter.mayFork(nowNanos)) {
            fork(worker.workerId(), nowNanos, worker);
        }
        // Otherwise the replacement follows when the backoff allows (restoreCount), and still replaces it.
    }

    /** The worker starting in {@code worker}'s place, if any. */
    private Child replacementOf(Child worker) {
        return table.workers().stream().filter(w -> w.replacing() == worker && w.isStarting())
                .findFirst().orElse(null);
    }

    /** A worker's start ended (its didReady hooks ran): the worker it replaces, if any, may now drain. */
    void workerStarted(Child worker) {
        limiter.workerReady();
        // Back along the chain: a replacement that failed while it started was replaced in turn, and the worker
        // it was to replace still waits for a ready successor.
        for (Child old = worker.replacing(); old != null; old = old.replacing()) {
            if (table.byPid(old.pid()).isPresent() && old.phase() != Child.Phase.STOPPING) {
                log.info("{} is ready: {} drains", worker.describe(), old.describe());
                actions.stop(old);
            }
        }
        // Done with: a chain kept across every recycling would only grow.
        worker.replacing(null);
        if (reload != null && reload.current() == worker) {
            nextReloadStep();
        } else if (reload != null && reload.awaited() == worker && !worker.isRetiring()) {
            replaceInReload(worker);
        }
    }

    /** Exited, or stopping: not a worker to wait for or to replace any more. */
    private boolean isGone(Child worker) {
        return table.byPid(worker.pid()).isEmpty() || worker.phase() == Child.Phase.STOPPING;
    }

    void heartbeat(Child worker, long requests, long nowNanos) {
        worker.heartbeat(nowNanos);
        worker.requests(requests);
        if (worker.isSilent() && worker.killAtNanos() == 0 && worker.phase() == Child.Phase.READY) {
            silent(worker, false);
            log.info("{} sends heartbeats again: it gets connections again", worker.describe());
        }
    }

    /** One pass: hung workers, recycling, then the count. */
    void tick(long nowNanos) {
        if (reload != null && reload.current() != null && isGone(reload.current())) {
            abortReload("the new " + reload.current().describe() + " was stopped before it was ready",
                    details(reload.current()), List.of());
        } else if (reload != null && reload.awaited() != null
                && (isGone(reload.awaited()) || reload.awaited().isRetiring())) {
            // The old worker it waited for died, was stopped, or hit a fatal error (its replacement is on its way)
            // while it started: its slot is the supervisor's now.
            reload.await(null);
            nextReloadStep();
        }
        watchHeartbeats(nowNanos);
        replaceWithoutDescriptors(nowNanos);
        recycle(nowNanos);
        restoreCount(nowNanos);
    }

    /**
     * With {@code rr}, a worker whose connection for handed-over clients closed while it runs gets no more clients
     * (a failed hand-off, an error on its side); it would hold its slot, idle, for good. Replaced, once it is clear
     * that the worker itself did not exit: its death closes that connection too, and is handled as a death.
     */
    private void replaceWithoutDescriptors(long nowNanos) {
        for (Child worker : table.readyWorkers()) {
            long lostAt = worker.descriptorsLostAtNanos();
            // A worker whose message connection closed too is on its way out by itself (or dead): its exit is next.
            if (lostAt != 0 && nowNanos - lostAt >= DESCRIPTORS_LOST_GRACE_NANOS && !worker.isRetiring()
                    && worker.messages() != null && worker.messages().isOpen()) {
                replaceBroken(worker, "lost its connection for handed-over clients (rr) and gets no more of them",
                        nowNanos);
            }
        }
    }

    /**
     * Replaces workers past {@code clutch.worker.maxRequests} (plus their jitter) or {@code clutch.worker.maxMemory}
     * through the same path as a fatal error: the new worker first, then the old one drains. Planned, so not
     * counted against the refork limit.
     */
    private void recycle(long nowNanos) {
        boolean byMemory = config.maxMemory() > 0 && nowNanos - nextMemoryCheckNanos >= 0;
        if (byMemory) {
            nextMemoryCheckNanos = nowNanos + MEMORY_CHECK_NANOS;
        }
        // One at a time, as a rolling reload goes: workers that reach their limit together (the same traffic, the
        // same leak) would otherwise all boot at once, beside the ones they replace.
        if (table.workers().stream().anyMatch(Child::isStarting)) {
            return;
        }
        // The oldest first: a young worker over the limit again must not keep an older one waiting.
        List<Child> oldestFirst = table.readyWorkers().stream()
                .sorted(Comparator.comparingLong(Child::launchedAtNanos)).toList();
        for (Child worker : oldestFirst) {
            if (worker.isRetiring() || (reload != null && (reload.current() != null || reload.awaited() != null))) {
                continue;
            }
            String why = null;
            if (config.maxRequests() > 0 && worker.requests() >= requestLimit(worker)) {
                why = "served " + worker.requests() + " requests (clutch.worker.maxRequests)";
            } else if (byMemory) {
                long resident = ProcessStats.of(worker.pid()).residentBytes();
                if (resident > config.maxMemory()) {
                    why = "uses " + resident / (1024 * 1024) + " MiB resident (clutch.worker.maxMemory)";
                }
            }
            if (why != null) {
                log.info("{} {}: replacing it, then it drains", worker.describe(), why);
                worker.retire();
                launch(worker.workerId(), worker);
                return;
            }
        }
    }

    /** Each worker's own limit: the configured one plus a fixed random jitter, so they do not recycle together. */
    private long requestLimit(Child worker) {
        if (worker.requestLimit() == 0) {
            long jitter = config.maxRequestsJitter() == 0 ? 0
                    : ThreadLocalRandom.current().nextLong(config.maxRequestsJitter() + 1L);
            worker.requestLimit(config.maxRequests() + jitter);
        }
        return worker.requestLimit();
    }

    /**
     * A worker whose heartbeats are late gets no new connections (frozen by a debugger or a long pause, an event
     * loop stuck: a connection handed to it would wait); one silent past {@code clutch.worker.timeout} is hung.
     */
    private void watchHeartbeats(long nowNanos) {
        Duration timeout = config.workerTimeout();
        // Not less than a master's own stall (which shifts the clocks), so a pause of the master marks no one.
        long lateNanos = Math.max(Math.max(3 * config.heartbeatInterval().toNanos(), Master.STALL_NANOS),
                timeout.toNanos() / 3);
        for (Child worker : table.readyWorkers()) {
            if (worker.killAtNanos() != 0) {
                if (nowNanos - worker.killAtNanos() >= 0) {
                    worker.killAt(0);
                    actions.kill(worker);
                }
                continue;
            }
            long silentNanos = nowNanos - worker.lastHeartbeatNanos();
            if (silentNanos > lateNanos && !worker.isSilent()) {
                silent(worker, true);
                log.warn("{} sent no heartbeat for {} ms (clutch.worker.heartbeatInterval: {} ms): no new connection "
                        + "goes to it until it sends one{}", worker.describe(),
                        TimeUnit.NANOSECONDS.toMillis(silentNanos), config.heartbeatInterval().toMillis(),
                        timeout.isZero() ? "" : "; after " + timeout.toMillis() + " ms (clutch.worker.timeout) it is "
                        + "taken for hung");
            }
            if (!timeout.isZero() && silentNanos > timeout.toNanos()) {
                Map<String, Object> details = details(worker);
                details.put("silentMillis", TimeUnit.NANOSECONDS.toMillis(silentNanos));
                worker.killAt(nowNanos + DUMP_GRACE_NANOS);
                // Connections handed to it now would die with it.
                actions.withdraw(worker);
                alarms.raise("worker-hung", worker.describe() + " sent no heartbeat for "
                        + TimeUnit.NANOSECONDS.toMillis(silentNanos) + " ms (clutch.worker.timeout): thread dump "
                        + "asked for, then it is killed and replaced", details, List.of());
                ChildProcess process = worker.process();
                // Off the master's thread: sending a signal runs a program.
                CompletableFuture.runAsync(process::requestThreadDump).exceptionally(e -> {
                    log.warn("no thread dump of pid {}: {}", process.pid(), e.toString());
                    return null;
                });
            }
        }
    }

    private void silent(Child worker, boolean silent) {
        worker.silent(silent);
        actions.silent(worker, silent);
    }

    /** Forks a replacement for each slot without a live, non-retiring worker, as the limiter allows. */
    private void restoreCount(long nowNanos) {
        for (int slot = 1; slot <= target; slot++) {
            if (hasWorker(slot)) {
                continue;
            }
            if (!forksPerSlot.containsKey(slot)) {
                // A slot's first worker (scale up) is planned, not a refork. If it cannot be launched, the next
                // tries go through the limiter, like reforks, instead of one every tick.
                if (launch(slot, null) == null) {
                    forksPerSlot.put(slot, 0);
                }
            } else if (limiter.mayFork(nowNanos)) {
                fork(slot, nowNanos, retiringWorker(slot));
            }
        }
    }

    /**
     * The worker of {@code slot} that waits for its replacement (fatal error, recycling), if any; the newest when
     * there are several (a replacement that failed in turn while it started): the new one drains it, and through
     * it the ones it was to replace.
     */
    private Child retiringWorker(int slot) {
        return table.workers().stream()
                .filter(w -> w.workerId() == slot && w.isRetiring() && w.phase() != Child.Phase.STOPPING)
                .max(Comparator.comparingLong(Child::launchedAtNanos)).orElse(null);
    }

    private boolean hasWorker(int slot) {
        return table.workers().stream().anyMatch(w -> w.workerId() == slot && !w.isRetiring()
                && w.phase() != Child.Phase.STOPPING);
    }

    /** Launches a worker for {@code slot} outside the refork limit; {@code null} if the launch failed. */
    private Child launch(int slot, Child replacing) {
        Child worker = actions.launchWorker(slot);
        if (worker != null) {
            forksPerSlot.merge(slot, 1, Integer::sum);
            worker.replacing(replacing);
        }
        return worker;
    }

    /** A refork: counted by the limiter, launched or not (a launch that fails must not be retried every tick). */
    private void fork(int slot, long nowNanos, Child replacing) {
        launch(slot, replacing);
        if (limiter.forked(nowNanos)) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("limit", config.reforkLimit());
            details.put("windowSeconds", config.reforkWindow().toSeconds());
            details.put("nextForkAfterMillis", limiter.currentBackoff().toMillis());
            alarms.raise("refork-limit", config.reforkLimit() + " workers were forked within "
                    + config.reforkWindow().toSeconds() + " s (clutch.worker.refork.limit): the next replacement "
                    + "waits " + limiter.currentBackoff().toMillis() + " ms", details, List.of());
        }
    }

    static Map<String, Object> details(Child child) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("role", child.role().label());
        details.put("workerId", child.workerId());
        details.put("pid", child.pid());
        return details;
    }
}
