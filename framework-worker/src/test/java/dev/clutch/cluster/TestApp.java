package dev.clutch.cluster;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import dev.clutch.agent.api.Schedules;
import dev.clutch.core.api.Clutch;
import dev.clutch.core.api.ClutchApplication;
import dev.clutch.core.api.Lifecycle;
import dev.clutch.core.api.LifecycleHook;
import dev.clutch.core.api.Messenger;
import dev.clutch.core.api.PayloadType;
import dev.clutch.core.logging.ProcessLabel;
import dev.clutch.worker.api.Filter;
import dev.clutch.worker.api.Handler;
import dev.clutch.worker.api.HttpException;
import dev.clutch.worker.api.Request;
import dev.clutch.worker.api.Response;
import dev.clutch.worker.api.Routes;
import dev.clutch.worker.api.ScheduledTasks;
import dev.clutch.worker.api.SharedStateView;
import io.netty.util.internal.PlatformDependent;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application the cluster scenarios start. Its hooks report each step on the console, and misbehave on demand
 * through environment variables (children inherit the master's environment):
 * {@code TEST_AGENT_HANG}, {@code TEST_AGENT_EXIT=<code>}, {@code TEST_AGENT_CRASH_FILE},
 * {@code TEST_AGENT_DID_READY_FAIL_FILE}, {@code TEST_WORKER_THROW},
 * {@code TEST_WORKER_ASSERT}, {@code TEST_AGENT_SLOW_START_MS=<ms>}.
 */
public final class TestApp implements ClutchApplication {

    public static void main(String[] args) {
        Clutch.run(TestApp.class, args);
    }

    @Override
    public List<Module> agentModules() {
        return List.of(hooks(), new AbstractModule() {
            @Override
            protected void configure() {
                Lifecycle.addHook(binder()).to(ScheduleDeclarations.class);
                if (System.getenv("TEST_AGENT_PID_STATE") != null) {
                    // Which agent published the state: one key names it, one key only it publishes.
                    long pid = ProcessHandle.current().pid();
                    com.google.inject.multibindings.Multibinder.newSetBinder(binder(),
                            dev.clutch.agent.api.StateSource.class).addBinding().toInstance(
                                    state -> state.putAll(java.util.Map.of("agent-pid", Long.toString(pid),
                                            "agent-" + pid, "published")));
                }
                String plainSource = System.getenv("TEST_PLAIN_STATE_SOURCE");
                if (plainSource != null) {
                    // On its own only: the mistake the agent refuses. Also linked into the set: a source it starts.
                    bind(dev.clutch.agent.api.StateSource.class).toInstance(new dev.clutch.agent.api.StateSource() {
                        @Override
                        public void start(dev.clutch.agent.api.SharedState state) {
                            state.put("plain-source", "published");
                        }
                    });
                    if (plainSource.equals("linked")) {
                        com.google.inject.multibindings.Multibinder.newSetBinder(binder(),
                                dev.clutch.agent.api.StateSource.class).addBinding()
                                .to(dev.clutch.agent.api.StateSource.class);
                    }
                }
            }
        });
    }

    @Override
    public List<Class<?>> scheduled() {
        return List.of(AnnotatedJobs.class);
    }

    /** Schedules by annotation, in env {@code annotated} only. */
    static final class AnnotatedJobs {
        private final ProcessLabel label;

        @Inject
        AnnotatedJobs(ProcessLabel label) {
            this.label = label;
        }

        @dev.clutch.core.api.Scheduled(every = "200ms", on = dev.clutch.core.api.Scheduled.Run.AGENT,
                envs = "annotated", immediate = true)
        void agentTick() {
            LoggerFactory.getLogger(AnnotatedJobs.class).info("TEST: annotated tick in {}", label.fileName());
        }

        @dev.clutch.core.api.Scheduled(cron = "* * * * * ?", on = dev.clutch.core.api.Scheduled.Run.ALL_WORKERS,
                envs = "annotated", name = "annotated-all")
        void workerTick() {
            LoggerFactory.getLogger(AnnotatedJobs.class).info("TEST: annotated tick in {}", label.fileName());
        }

        @dev.clutch.core.api.Scheduled(every = "300ms", on = dev.clutch.core.api.Scheduled.Run.AGENT,
                envs = "annotated", name = "annotated-agent-error")
        void agentError() {
            throw new AssertionError("boom in " + label.fileName());
        }

        @dev.clutch.core.api.Scheduled(every = "300ms", on = dev.clutch.core.api.Scheduled.Run.ALL_WORKERS,
                envs = "annotated", name = "annotated-worker-error")
        void workerError() {
            throw new AssertionError("boom in " + label.fileName());
        }
    }

    /**
     * With TEST_SCHEDULES set: a schedule of every kind; with TEST_FAILING_UNDELIVERABLE_LISTENER too, a listener of
     * undeliverable messages that throws, registered before the scheduler's.
     */
    static final class ScheduleDeclarations implements LifecycleHook {
        private final Schedules schedules;
        private final Messenger messenger;
        private final java.util.concurrent.atomic.AtomicInteger concurrent =
                new java.util.concurrent.atomic.AtomicInteger();

        @Inject
        ScheduleDeclarations(Schedules schedules, Messenger messenger) {
            this.schedules = schedules;
            this.messenger = messenger;
        }

        @Override
        public void didLoad() {
            if (System.getenv("TEST_SCHEDULES") == null) {
                return;
            }
            if (System.getenv("TEST_FAILING_UNDELIVERABLE_LISTENER") != null) {
                messenger.onUndeliverable(undeliverable -> {
                    throw new IllegalStateException("the application's listener fails on purpose");
                });
            }
            schedules.every("200ms").named("one").runOnOneWorker("tick");
            schedules.every("300ms").named("all").runOnAllWorkers("tick");
            // Two schedules of one slow task: each has its own guard, in each worker.
            schedules.every("100ms").named("slow-a").runOnAllWorkers("slow");
            schedules.every("100ms").named("slow-b").runOnAllWorkers("slow");
            schedules.cron("0/1 * * * * ?").named("cron").runOnAgent(() -> { });
            schedules.every("100ms").named("never").inEnvs("nowhere").runOnAgent(() -> { });
            schedules.every("100ms").named("slow").immediate().runOnAgent(() -> {
                if (concurrent.incrementAndGet() > 1) {
                    LoggerFactory.getLogger(ScheduleDeclarations.class).error("TEST: overlapping runs");
                }
                Thread.sleep(350);
                concurrent.decrementAndGet();
            });
        }
    }

    @Override
    public List<PayloadType> payloadTypes() {
        String shaped = System.getenv("TEST_PAYLOAD_CLASS");
        if (shaped != null) {
            // A class of the application's own build, as the classpath has it when this process starts.
            try {
                return List.of(PayloadType.of(1001, Greeting.class), PayloadType.of(1998, Class.forName(shaped)));
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
        }
        if ("worker".equals(System.getenv("CLUTCH_ROLE")) && System.getenv("TEST_WORKER_EXTRA_PAYLOAD") != null) {
            return List.of(PayloadType.of(1001, Greeting.class), PayloadType.of(1999, Extra.class));
        }
        // A new build of the application, as children launched once the file exists see it.
        String newBuild = System.getenv("TEST_NEW_BUILD_FILE");
        if (System.getenv("CLUTCH_ROLE") != null && newBuild != null
                && java.nio.file.Files.exists(java.nio.file.Path.of(newBuild))) {
            return List.of(PayloadType.of(1001, Greeting.class), PayloadType.of(1999, Extra.class));
        }
        return List.of(PayloadType.of(1001, Greeting.class));
    }

    /**
     * Registered only by workers when TEST_WORKER_EXTRA_PAYLOAD is set (a registry the master does not share), and by
     * the children of a new build (TEST_NEW_BUILD_FILE).
     */
    record Extra(String value) {
    }

    @Override
    public List<Module> workerModules() {
        return List.of(hooks(), new AbstractModule() {
            @Override
            protected void configure() {
                Routes routes = Routes.of(binder());
                routes.get("/slow", Slow.class);
                routes.get("/boom", Boom.class);
                routes.post("/echo", Echo.class);
                routes.get("/lines", Lines.class);
                routes.get("/log/{count}", LogLines.class);
                routes.get("/items/{id}", Item.class);
                routes.get("/msg/{what}", MessengerRoute.class);
                routes.get("/state/{key}", StateRoute.class);
                routes.get("/dev/greeting", DevGreeting.class);
                Lifecycle.addHook(binder()).to(TaskRegistration.class);
                Lifecycle.addHook(binder()).to(StateAtLoad.class);
                Lifecycle.addHook(binder()).to(DevGreeting.class);
                routes.nonBlocking().get("/pid", Pid.class);
                routes.nonBlocking().get("/client", Client.class);
                routes.nonBlocking().get("/netty-platform", NettyPlatform.class);
                routes.nonBlocking().get("/hang", Hang.class);
                routes.get("/oom", Oom.class);
                Routes.addFilter(binder()).to(PoweredBy.class);
            }
        });
    }

    /** Answers after {@code ms} milliseconds. */
    static final class Slow implements Handler {
        @Override
        public Object handle(Request request) throws InterruptedException {
            LoggerFactory.getLogger(Slow.class).info("TEST: slow request {} started", request.requestId());
            Thread.sleep(Long.parseLong(request.queryParam("ms").orElse("1000")));
            return "slow done";
        }
    }

    static final class Pid implements Handler {
        @Override
        public Object handle(Request request) {
            return ProcessHandle.current().pid();
        }
    }

    /** GET /client: the client's address as the request gives it. */
    static final class Client implements Handler {
        @Override
        public Object handle(Request request) {
            return request.remoteAddress();
        }
    }

    /** GET /log/{count}: logs that many numbered lines of 100 characters, for a console that cannot keep up. */
    static final class LogLines implements Handler {
        private static final Logger log = LoggerFactory.getLogger(LogLines.class);
        private static final String FILLER = "x".repeat(80);

        @Override
        public Object handle(Request request) {
            int count = Integer.parseInt(request.pathParam("count"));
            for (int i = 0; i < count; i++) {
                log.info("TEST: console line {} {}", i, FILLER);
            }
            return count;
        }
    }

    /** Whether Netty emits its JFR events here: it decides once, when its first class initialises. */
    /** How Netty set itself up in this worker. */
    static final class NettyPlatform implements Handler {
        @Override
        public Object handle(Request request) {
            return "jfr=" + PlatformDependent.isJfrEnabled() + " unsafe=" + PlatformDependent.hasUnsafe();
        }
    }

    /** Blocks its event loop for good: the worker's heartbeats stop. */
    static final class Hang implements Handler {
        @Override
        public Object handle(Request request) throws InterruptedException {
            LoggerFactory.getLogger(Hang.class).info("TEST: hanging the event loop");
            Thread.sleep(Long.MAX_VALUE);
            return "never";
        }
    }

    static final class Oom implements Handler {
        @Override
        public Object handle(Request request) {
            throw new OutOfMemoryError("TEST: simulated");
        }
    }

    static final class Boom implements Handler {
        @Override
        public Object handle(Request request) {
            throw new IllegalStateException("TEST: boom");
        }
    }

    /** A JSON body in, the same object out. */
    record Greeting(String name, int times) {
    }

    static final class Echo implements Handler {
        @Override
        public Object handle(Request request) {
            return request.bodyAs(Greeting.class);
        }
    }

    static final class Lines implements Handler {
        @Override
        public Object handle(Request request) {
            return Response.chunked(200, "text/plain", List.of("one\n", "two\n", "three\n"));
        }
    }

    static final class Item implements Handler {
        @Override
        public Object handle(Request request) {
            return java.util.Map.of("id", request.pathParam("id"),
                    "detail", request.queryParam("detail").orElse("none"));
        }
    }

    /** A filter: every response names the application. */
    static final class PoweredBy implements Filter {
        @Override
        public void after(Request request, Response response) {
            response.header("X-Powered-By", "test-app");
        }
    }

    private static Module hooks() {
        return new AbstractModule() {
            @Override
            protected void configure() {
                Lifecycle.addHook(binder()).to(ReportingHook.class);
                Lifecycle.addHook(binder()).to(MessagingHook.class);
                install(TestPlugins.TracingHook.module("app"));
            }
        };
    }

    /** Message handlers of both roles. */
    static final class MessagingHook implements LifecycleHook {
        private final Messenger messenger;
        private final ProcessLabel label;
        private final List<String> acks = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final java.util.concurrent.atomic.AtomicInteger counted = new java.util.concurrent.atomic.AtomicInteger();
        private volatile String outOfOrder;

        /** The agent's state is bound in the agent only: looked up there, when used. */
        private final com.google.inject.Injector injector;

        @Inject
        MessagingHook(Messenger messenger, ProcessLabel label, com.google.inject.Injector injector) {
            this.messenger = messenger;
            this.label = label;
            this.injector = injector;
        }

        private static int overflow(int depth) {
            return overflow(depth + 1) + 1;
        }

        @Override
        public void didLoad() {
            messenger.on("echo", m -> {
                Greeting greeting = (Greeting) m.payload();
                return new Greeting(greeting.name() + " from " + label.fileName(), greeting.times() + 1);
            });
            messenger.on("whoami", m -> label.fileName() + ":" + ProcessHandle.current().pid());
            // A handler that overflows its stack: a fatal error in a message handler.
            messenger.on("overflow", m -> overflow(0));
            messenger.on("slow", m -> {
                Thread.sleep(1000);
                return "late";
            });
            // Takes a request and never answers it: its process is killed with it unanswered.
            messenger.on("hang", m -> {
                LoggerFactory.getLogger(MessagingHook.class).info("TEST: {} (pid {}) holds 'hang' unanswered",
                        label.fileName(), ProcessHandle.current().pid());
                return new java.util.concurrent.CompletableFuture<>();
            });
            messenger.on("record", m -> {
                messenger.sendToAgent("ack", label.fileName() + " got " + ((Greeting) m.payload()).name()
                        + " from " + m.fromRole().label());
                return null;
            });
            // A run of numbered messages that must arrive complete and in order; the first may stall its receiver.
            messenger.on("count", m -> {
                String[] seqAndStall = ((String) m.payload()).split(":");
                int seq = Integer.parseInt(seqAndStall[0]);
                if (seq == 0) {
                    counted.set(0);
                    outOfOrder = null;
                    Thread.sleep(Long.parseLong(seqAndStall[1]));
                }
                if (seq != counted.getAndIncrement() && outOfOrder == null) {
                    outOfOrder = "out of order: " + seq + " arrived as number " + (counted.get() - 1);
                }
                return null;
            });
            messenger.on("counted", m -> outOfOrder != null ? outOfOrder : counted.get() + " in order");
            if (label.role() == dev.clutch.core.api.Role.AGENT) {
                messenger.on("flood", m -> {
                    String[] pidCountStall = ((String) m.payload()).split(":");
                    long pid = Long.parseLong(pidCountStall[0]);
                    int total = Integer.parseInt(pidCountStall[1]);
                    int heldBack = 0;
                    for (int seq = 0; seq < total; seq++) {
                        String payload = seq == 0 ? "0:" + pidCountStall[2] : Integer.toString(seq);
                        while (true) {
                            try {
                                messenger.sendTo(pid, "count", payload);
                                break;
                            } catch (Messenger.MessageFailedException slowDown) {
                                if (slowDown.reason() != Messenger.MessageFailedException.Reason.BACK_PRESSURE) {
                                    throw slowDown;
                                }
                                heldBack++;
                                java.util.concurrent.locks.LockSupport.parkNanos(200_000);
                            }
                        }
                    }
                    if (pidCountStall.length > 3) {
                        // Then state changes, while the receiver may still be stuck: "count:bytes" of them.
                        int changes = Integer.parseInt(pidCountStall[3]);
                        String filler = "x".repeat(Integer.parseInt(pidCountStall[4]));
                        dev.clutch.agent.api.SharedState state = injector.getInstance(
                                dev.clutch.agent.api.SharedState.class);
                        for (int i = 1; i <= changes; i++) {
                            state.put("burst", i + ":" + filler);
                        }
                    }
                    return "sent " + total + " to " + pid + ", held back " + heldBack + " times";
                });
                messenger.on("ack", m -> acks.add((String) m.payload()));
                messenger.on("acks", m -> String.join("|", acks));
            }
        }
    }

    /**
     * GET /dev/greeting: with TEST_DEV_CLASS set, what that class's static {@code greeting()} answers, loaded once
     * at start (a class that does not load fails the start).
     */
    @jakarta.inject.Singleton
    static final class DevGreeting implements Handler, LifecycleHook {
        private volatile String greeting = "no dev class";

        @Override
        public void willReady() throws Exception {
            String name = System.getenv("TEST_DEV_CLASS");
            if (name != null) {
                greeting = (String) Class.forName(name).getMethod("greeting").invoke(null);
            }
        }

        @Override
        public Object handle(Request request) {
            return greeting;
        }
    }

    /** The worker task the test schedules run. */
    static final class TaskRegistration implements LifecycleHook {
        private final ScheduledTasks tasks;

        @Inject
        TaskRegistration(ScheduledTasks tasks) {
            this.tasks = tasks;
        }

        @Override
        public void didLoad() {
            tasks.register("tick", () -> { });
            tasks.register("slow", () -> Thread.sleep(350));
        }
    }

    /** GET /state/{key}: the worker's view of a shared state key, with the state's version in a header. */
    static final class StateRoute implements Handler {
        private final SharedStateView state;

        @Inject
        StateRoute(SharedStateView state) {
            this.state = state;
        }

        @Override
        public Object handle(Request request) {
            Object value = state.get(request.pathParam("key")).orElseThrow(() -> HttpException.notFound(
                    "no state key " + request.pathParam("key")));
            return Response.text(200, String.valueOf(value)).header("X-State-Version",
                    Long.toString(state.version()));
        }
    }

    /** Drives the worker's messenger from HTTP: GET /msg/{what}. */
    static final class MessengerRoute implements Handler {
        private static final Duration TIMEOUT = Duration.ofSeconds(5);
        /** What became of the last patient request to each target ({@code agent}, {@code nobody}). */
        private static final java.util.Map<String, String> PATIENT_OUTCOMES =
                new java.util.concurrent.ConcurrentHashMap<>();
        private final Messenger messenger;

        @Inject
        MessengerRoute(Messenger messenger) {
            this.messenger = messenger;
        }

        @Override
        public Object handle(Request request) throws Exception {
            String name = request.queryParam("name").orElse("clutch");
            try {
                return switch (request.pathParam("what")) {
                    case "echo-agent" -> ((Greeting) messenger.request(Messenger.Target.agent(), "echo",
                            new Greeting(name, 1), TIMEOUT).get()).name();
                    case "whoami-pid" -> messenger.request(Messenger.Target.pid(Long.parseLong(
                            request.queryParam("pid").orElseThrow())), "whoami", null, TIMEOUT).get();
                    case "whoami-agent" -> messenger.request(Messenger.Target.agent(), "whoami", null, TIMEOUT).get();
                    case "whoami-random" -> messenger.request(Messenger.Target.randomWorker(), "whoami", null,
                            TIMEOUT).get();
                    case "broadcast" -> {
                        messenger.broadcast("record", new Greeting(name, 1));
                        yield "sent";
                    }
                    case "flood" -> {
                        // notMe=a,b: the worker that is not this one, so this one can still take the reply.
                        long self = ProcessHandle.current().pid();
                        long target = request.queryParam("pid").map(Long::parseLong).orElseGet(() ->
                                java.util.Arrays.stream(request.queryParam("notMe").orElseThrow().split(","))
                                        .mapToLong(Long::parseLong).filter(p -> p != self).findFirst()
                                        .orElseThrow());
                        yield messenger.request(Messenger.Target.agent(), "flood", target + ":"
                                + request.queryParam("n").orElseThrow() + ":"
                                + request.queryParam("stallMillis").orElse("0")
                                + request.queryParam("stateChanges").map(c -> ":" + c + ":"
                                        + request.queryParam("stateBytes").orElseThrow()).orElse(""),
                                Duration.ofSeconds(60)).get();
                    }
                    case "counted" -> messenger.request(Messenger.Target.pid(Long.parseLong(
                            request.queryParam("pid").orElseThrow())), "counted", null, TIMEOUT).get();
                    case "acks" -> messenger.request(Messenger.Target.agent(), "acks", null, TIMEOUT).get();
                    case "hang-agent" -> messenger.request(Messenger.Target.agent(), "hang", null,
                            Duration.ofSeconds(60)).get();
                    case "hang-other-worker" -> {
                        long self = ProcessHandle.current().pid();
                        long other = java.util.Arrays.stream(request.queryParam("pids").orElseThrow().split(","))
                                .mapToLong(Long::parseLong).filter(p -> p != self).findFirst().orElseThrow();
                        yield messenger.request(Messenger.Target.pid(other), "hang", null, Duration.ofSeconds(60))
                                .get();
                    }
                    case "slow-agent" -> messenger.request(Messenger.Target.agent(), "slow", null,
                            Duration.ofMillis(200)).get();
                    case "overflow-agent" -> messenger.request(Messenger.Target.agent(), "overflow", null,
                            TIMEOUT).get();
                    case "nobody" -> messenger.request(Messenger.Target.agent(), "nobody", null, TIMEOUT).get();
                    case "unknown-pid" -> messenger.request(Messenger.Target.pid(999_999_999L), "whoami", null,
                            TIMEOUT).get();
                    case "ask-nobody" -> {
                        // Many requests that reach no one, at once: how each one failed, counted by reason.
                        int n = Integer.parseInt(request.queryParam("n").orElseThrow());
                        java.util.Map<String, Integer> reasons = new java.util.TreeMap<>();
                        List<java.util.concurrent.CompletableFuture<Object>> asked = new java.util.ArrayList<>();
                        for (int i = 0; i < n; i++) {
                            try {
                                asked.add(messenger.request(Messenger.Target.pid(999_999_999L), "nobody-" + i,
                                        null, Duration.ofSeconds(2)));
                            } catch (Messenger.MessageFailedException failed) {
                                reasons.merge(failed.reason().name(), 1, Integer::sum);
                            }
                        }
                        for (java.util.concurrent.CompletableFuture<Object> future : asked) {
                            try {
                                future.get(10, java.util.concurrent.TimeUnit.SECONDS);
                                reasons.merge("ANSWERED", 1, Integer::sum);
                            } catch (java.util.concurrent.ExecutionException e) {
                                reasons.merge(e.getCause() instanceof Messenger.MessageFailedException failed
                                        ? failed.reason().name() : e.getCause().toString(), 1, Integer::sum);
                            }
                        }
                        yield reasons.toString();
                    }
                    case "ask-patiently" -> {
                        // A request whose outcome is looked at later (/msg/patient-outcome?to=...): this worker may
                        // be stuck reading its messages meanwhile.
                        String to = request.queryParam("to").orElseThrow();
                        PATIENT_OUTCOMES.put(to, "pending");
                        messenger.request(to.equals("agent") ? Messenger.Target.agent()
                                : Messenger.Target.pid(999_999_999L), "whoami", null, Duration.ofSeconds(90))
                                .whenComplete((reply, failure) -> PATIENT_OUTCOMES.put(to, failure == null
                                        ? "answered: " + reply
                                        : failure instanceof Messenger.MessageFailedException failed
                                        ? "failed (" + failed.reason() + "): " + failed.getMessage()
                                        : "failed with " + failure));
                        yield "asked";
                    }
                    case "patient-outcome" -> PATIENT_OUTCOMES.getOrDefault(
                            request.queryParam("to").orElseThrow(), "not asked");
                    case "oversized" -> {
                        messenger.sendToAgent("record", "x".repeat(17 << 20));
                        yield "sent?";
                    }
                    case "pid-zero" -> {
                        messenger.sendTo(0, "whoami", null);
                        yield "sent?";
                    }
                    case "unregistered" -> {
                        messenger.sendToAgent("record", new StringBuilder("not registered"));
                        yield "sent?";
                    }
                    default -> throw new HttpException(404, "no such messenger action");
                };
            } catch (java.util.concurrent.ExecutionException e) {
                return e.getCause() instanceof Messenger.MessageFailedException failed
                        ? "failed (" + failed.reason() + "): " + failed.getMessage()
                        : "failed with " + e.getCause();
            } catch (IllegalArgumentException e) {
                return "refused: " + e.getMessage();
            }
        }
    }

    /** Logs the shared state a worker's application code finds when it starts. */
    static final class StateAtLoad implements LifecycleHook {
        private final SharedStateView state;

        @Inject
        StateAtLoad(SharedStateView state) {
            this.state = state;
        }

        @Override
        public void didLoad() {
            LoggerFactory.getLogger(StateAtLoad.class).info("TEST: state at load: {}",
                    new java.util.TreeSet<>(state.snapshot().keySet()));
        }
    }

    static final class ReportingHook implements LifecycleHook {
        private static final Logger log = LoggerFactory.getLogger(ReportingHook.class);
        private final ProcessLabel label;
        private final Messenger messenger;

        @Inject
        ReportingHook(ProcessLabel label, Messenger messenger) {
            this.label = label;
            this.messenger = messenger;
        }

        @Override
        public void didLoad() {
            LoggerFactory.getLogger("dev.clutch.cluster.OverlayProbe").debug("TEST: logback-clutch.xml applies on top");
            if (label.role() == dev.clutch.core.api.Role.WORKER) {
                log.info("TEST: {} runs its application code", label.fileName());
            }
        }

        @Override
        public void willReady() throws Exception {
            switch (label.role()) {
                case AGENT -> {
                    String slow = System.getenv("TEST_AGENT_SLOW_START_MS");
                    if (slow != null) {
                        log.info("TEST: agent is slow in willReady");
                        Thread.sleep(Long.parseLong(slow));
                        log.info("TEST: agent's willReady is done");
                    }
                    if (System.getenv("TEST_AGENT_HANG") != null) {
                        log.info("TEST: agent hangs in willReady");
                        Thread.sleep(Long.MAX_VALUE);
                    }
                    String crashFile = System.getenv("TEST_AGENT_CRASH_FILE");
                    if (crashFile != null && java.nio.file.Files.exists(java.nio.file.Path.of(crashFile))) {
                        System.err.println("TEST: agent crashes at boot");
                        System.exit(13);
                    }
                    String exit = System.getenv("TEST_AGENT_EXIT");
                    if (exit != null) {
                        System.err.println("TEST: agent exits with " + exit + " during start");
                        System.exit(Integer.parseInt(exit));
                    }
                }
                case WORKER -> {
                    if (System.getenv("TEST_WORKER_THROW") != null) {
                        throw new IllegalStateException("TEST: worker refuses to start");
                    }
                    if (System.getenv("TEST_WORKER_ASKS_AGENT") != null) {
                        Object answer = messenger.request(Messenger.Target.agent(), "whoami", null,
                                java.time.Duration.ofSeconds(10)).get();
                        log.info("TEST: the agent answered while {} starts: {}", label.fileName(), answer);
                    }
                    if (System.getenv("TEST_WORKER_ASSERT") != null) {
                        throw new AssertionError("TEST: a worker's assert fails");
                    }
                    String holdFile = System.getenv("TEST_WORKER_HOLD_FILE");
                    if (holdFile != null) {
                        // Not ready while the file exists (for at most 30 s): a replacement the test holds back.
                        long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
                        while (java.nio.file.Files.exists(java.nio.file.Path.of(holdFile))
                                && System.nanoTime() < until) {
                            Thread.sleep(20);
                        }
                    }
                    String crashFile = System.getenv("TEST_WORKER_CRASH_FILE");
                    if (crashFile != null && java.nio.file.Files.exists(java.nio.file.Path.of(crashFile))) {
                        System.err.println("TEST: worker crashes at boot");
                        System.exit(13);
                    }
                }
                default -> {
                }
            }
        }

        @Override
        public void serverDidReady() {
            log.info("TEST: {} pid {} received cluster-ready", label.fileName(), ProcessHandle.current().pid());
        }

        @Override
        public void didReady() {
            log.info("TEST: {} didReady", label.fileName());
            boolean agent = label.role() == dev.clutch.core.api.Role.AGENT;
            String failFile = System.getenv(agent ? "TEST_AGENT_DID_READY_FAIL_FILE" : "TEST_WORKER_DID_READY_FAIL_FILE");
            if (failFile != null && java.nio.file.Files.exists(java.nio.file.Path.of(failFile))) {
                throw new IllegalStateException("TEST: " + (agent ? "the agent's" : "a worker's") + " didReady fails");
            }
        }

        @Override
        public void beforeClose() throws Exception {
            log.info("TEST: {} beforeClose", label.fileName());
            if (label.role() == dev.clutch.core.api.Role.WORKER && System.getenv("TEST_WORKER_HANG_ON_CLOSE") != null) {
                Thread.sleep(Long.MAX_VALUE);
            }
        }
    }
}
