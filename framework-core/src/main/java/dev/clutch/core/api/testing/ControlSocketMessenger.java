package dev.clutch.core.api.testing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.clutch.core.api.Messenger;
import dev.clutch.core.control.ControlClient;
import dev.clutch.core.message.ControlReply;
import dev.clutch.core.message.ControlRequest;
import dev.clutch.core.message.PayloadCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * The test kit's messenger and shared-state reader for a {@link ClutchTest.Mode#MULTI} cluster: the master sends
 * each message as itself, through its control socket, and answers with the reply. It sends and gets replies; it is
 * no process of the cluster, so nothing can send to it.
 */
final class ControlSocketMessenger implements Messenger {

    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(10);
    /** Beyond a request's own timeout: the master answers at its next tick after it. */
    private static final Duration MARGIN = Duration.ofSeconds(2);
    /** Each request waits on a socket: not on the common pool, which a test's own code may need. */
    private static final Executor REQUESTS = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "clutch-test-request");
        thread.setDaemon(true);
        return thread;
    });

    private final ControlClient master;
    private final PayloadCodec codec;
    private final List<Consumer<Undeliverable>> undeliverableListeners = new CopyOnWriteArrayList<>();

    ControlSocketMessenger(ControlClient master, PayloadCodec codec) {
        this.master = master;
        this.codec = codec;
    }

    @Override
    public void broadcast(String action, Object payload) {
        send("everyone", action, payload);
    }

    @Override
    public void sendToWorkers(String action, Object payload) {
        send("workers", action, payload);
    }

    @Override
    public void sendToAgent(String action, Object payload) {
        send("agent", action, payload);
    }

    @Override
    public void sendRandom(String action, Object payload) {
        send("random", action, payload);
    }

    @Override
    public void sendTo(long pid, String action, Object payload) {
        // Refused here, as a cluster process's messenger refuses it, not as the master's answer.
        send("pid:" + Target.pid(pid).pid(), action, payload);
    }

    private void send(String target, String action, Object payload) {
        Objects.requireNonNull(action, "action");
        ControlReply reply = call(target, action, "send", codec.write(payload), SEND_TIMEOUT);
        if (!reply.ok()) {
            Undeliverable event = new Undeliverable(action, reply.text());
            undeliverableListeners.forEach(listener -> listener.accept(event));
            throw reply.messageFailure();
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <R> CompletableFuture<R> request(Target target, String action, Object payload, Duration timeout) {
        String to = switch (target.kind()) {
            case "agent" -> "agent";
            case "random" -> "random";
            case "pid" -> "pid:" + target.pid();
            default -> throw new IllegalArgumentException("unknown target " + target);
        };
        // Thrown here, nothing sent, as a cluster process's messenger does.
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(timeout, "timeout");
        byte[] bytes = codec.write(payload);
        // Completed by hand, not by supplyAsync, so that it fails with the MessageFailedException itself, as a
        // cluster process's messenger does, not wrapped in a CompletionException.
        CompletableFuture<R> reply = new CompletableFuture<>();
        REQUESTS.execute(() -> {
            try {
                ControlReply answer = call(to, action, "request", bytes, timeout);
                if (!answer.ok()) {
                    reply.completeExceptionally(answer.messageFailure());
                    return;
                }
                reply.complete((R) codec.read(Base64.getDecoder().decode(ConfigFactory.parseString(answer.json())
                        .getString("payload"))));
            } catch (RuntimeException e) {
                reply.completeExceptionally(e);
            }
        });
        return reply;
    }

    private ControlReply call(String target, String action, String kind, byte[] bytes, Duration timeout) {
        ControlRequest request = new ControlRequest("message", new String[] {target, action, kind,
                Long.toString(timeout.toMillis()), Base64.getEncoder().encodeToString(bytes)});
        try {
            return master.send(request, timeout.plus(MARGIN));
        } catch (IOException e) {
            throw new MessageFailedException(MessageFailedException.Reason.UNDELIVERABLE,
                    "cannot reach the cluster's master: " + e.getMessage());
        }
    }

    @Override
    public void on(String action, MessageHandler handler) {
        throw new UnsupportedOperationException("the test kit's messenger of a MULTI cluster sends and gets replies "
                + "but is no process of the cluster: nothing can send to it");
    }

    @Override
    public void off(String action) {
        throw new UnsupportedOperationException("the test kit's messenger of a MULTI cluster registers no handlers");
    }

    @Override
    public void onUndeliverable(Consumer<Undeliverable> listener) {
        undeliverableListeners.add(listener);
    }

    /** The shared state as the master keeps it, decoded. */
    Map<String, Object> sharedState() {
        ControlReply reply;
        try {
            reply = master.send(new ControlRequest("state", new String[0]), SEND_TIMEOUT);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the shared state from the master", e);
        }
        if (!reply.ok()) {
            throw new IllegalStateException("the master did not give the shared state: " + reply.text());
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (Config entry : ConfigFactory.parseString(reply.json()).getConfigList("entries")) {
            values.put(entry.getString("key"), codec.read(Base64.getDecoder().decode(entry.getString("value"))));
        }
        return values;
    }
}
