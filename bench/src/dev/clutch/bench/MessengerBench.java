package dev.clutch.bench;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import dev.clutch.core.api.Clutch;
import dev.clutch.core.api.ClutchApplication;
import dev.clutch.core.api.Lifecycle;
import dev.clutch.core.api.LifecycleHook;
import dev.clutch.core.api.Messenger;
import dev.clutch.core.api.PayloadType;
import dev.clutch.core.logging.ProcessLabel;
import dev.clutch.worker.api.Handler;
import dev.clutch.worker.api.Request;
import dev.clutch.worker.api.Routes;
import jakarta.inject.Inject;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application bench/messenger.sh runs: GET /burst?n=N makes the agent send N pings to every worker as fast as
 * back-pressure allows; GET /latency?n=N&gapMicros=G sends them G microseconds apart. Each worker logs a BENCH line
 * when it has them all: how long the burst took from the first send, and the one-way latency percentiles (agent
 * and workers share the host's monotonic clock).
 */
public final class MessengerBench implements ClutchApplication {

    public static void main(String[] args) {
        Clutch.run(MessengerBench.class, args);
    }

    /** One message: when it was sent, its number, how many there are. */
    public record Ping(long sentNanos, int seq, int total, boolean timed) {
    }

    /** Asks the agent for a run. */
    public record Run(int total, long gapMicros, boolean timed) {
    }

    @Override
    public List<PayloadType> payloadTypes() {
        return List.of(PayloadType.of(1001, Ping.class), PayloadType.of(1002, Run.class));
    }

    @Override
    public List<Module> agentModules() {
        return List.of(new AbstractModule() {
            @Override
            protected void configure() {
                Lifecycle.addHook(binder()).to(Sender.class);
            }
        });
    }

    @Override
    public List<Module> workerModules() {
        return List.of(new AbstractModule() {
            @Override
            protected void configure() {
                Lifecycle.addHook(binder()).to(Receiver.class);
                Routes.of(binder()).get("/run", Trigger.class);
            }
        });
    }

    static final class Sender implements LifecycleHook {
        private final Messenger messenger;

        @Inject
        Sender(Messenger messenger) {
            this.messenger = messenger;
        }

        @Override
        public void didLoad() {
            messenger.on("run", message -> {
                Run run = (Run) message.payload();
                long start = System.nanoTime();
                for (int seq = 0; seq < run.total(); seq++) {
                    Ping ping = new Ping(System.nanoTime(), seq, run.total(), run.timed());
                    while (true) {
                        try {
                            messenger.sendToWorkers("ping", ping);
                            break;
                        } catch (Messenger.MessageFailedException backPressure) {
                            if (backPressure.reason() != Messenger.MessageFailedException.Reason.BACK_PRESSURE) {
                                throw backPressure;
                            }
                            LockSupport.parkNanos(50_000);
                        }
                    }
                    if (run.gapMicros() > 0) {
                        LockSupport.parkNanos(run.gapMicros() * 1000);
                    }
                }
                return "sent " + run.total() + " in " + (System.nanoTime() - start) / 1_000_000 + " ms";
            });
        }
    }

    static final class Receiver implements LifecycleHook {
        private static final Logger log = LoggerFactory.getLogger("bench");
        private final Messenger messenger;
        private final ProcessLabel label;
        private long[] latencies = new long[0];
        private long firstSent;
        private int received;

        @Inject
        Receiver(Messenger messenger, ProcessLabel label) {
            this.messenger = messenger;
            this.label = label;
        }

        @Override
        public void didLoad() {
            messenger.on("ping", message -> {
                long now = System.nanoTime();
                Ping ping = (Ping) message.payload();
                if (ping.seq() == 0) {
                    firstSent = ping.sentNanos();
                    received = 0;
                    latencies = new long[ping.timed() ? ping.total() : 0];
                }
                if (ping.timed()) {
                    latencies[received] = now - ping.sentNanos();
                }
                received++;
                if (received == ping.total()) {
                    report(ping, now);
                }
                return null;
            });
        }

        private void report(Ping last, long now) {
            double millis = (now - firstSent) / 1e6;
            if (last.timed()) {
                Arrays.sort(latencies);
                log.info("BENCH {} latency n={} p50={}us p99={}us max={}us", label.fileName(), last.total(),
                        latencies[latencies.length / 2] / 1000, latencies[(int) (latencies.length * 0.99)] / 1000,
                        latencies[latencies.length - 1] / 1000);
            } else {
                log.info("BENCH {} burst n={} in {} ms = {} msg/s", label.fileName(), last.total(),
                        String.format("%.1f", millis), (long) (last.total() / (millis / 1000)));
            }
        }
    }

    static final class Trigger implements Handler {
        private final Messenger messenger;

        @Inject
        Trigger(Messenger messenger) {
            this.messenger = messenger;
        }

        @Override
        public Object handle(Request request) throws Exception {
            int n = Integer.parseInt(request.queryParam("n").orElse("100000"));
            long gap = Long.parseLong(request.queryParam("gapMicros").orElse("0"));
            return messenger.request(Messenger.Target.agent(), "run", new Run(n, gap, gap > 0),
                    java.time.Duration.ofMinutes(5)).get();
        }
    }
}
