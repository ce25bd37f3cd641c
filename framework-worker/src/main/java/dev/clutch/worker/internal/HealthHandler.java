package dev.clutch.worker.internal;

import dev.clutch.core.logging.ProcessLabel;
import dev.clutch.worker.api.Handler;
import dev.clutch.worker.api.Request;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code GET /_clutch/health}: this worker is up; for load balancers and Kubernetes probes. */
@Singleton
final class HealthHandler implements Handler {

    static final String PATH = "/_clutch/health";

    private final ProcessLabel label;

    @Inject
    HealthHandler(ProcessLabel label) {
        this.label = label;
    }

    @Override
    public Object handle(Request request) {
        Map<String, Object> health = new LinkedHashMap<>();
        health.put("status", "up");
        health.put("role", "worker");
        health.put("worker", label.workerId());
        health.put("pid", ProcessHandle.current().pid());
        return health;
    }
}
