package ${package}.worker;

import dev.clutch.worker.api.Handler;
import dev.clutch.worker.api.Request;
import dev.clutch.worker.api.SharedStateView;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.Map;

/** GET /hello: what the agent pushed to this worker, and which worker answered. */
public final class HelloRoute implements Handler {

    private final SharedStateView state;

    @Inject
    HelloRoute(SharedStateView state) {
        this.state = state;
    }

    @Override
    public Object handle(Request request) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("greeting", state.get("greeting").orElse("(no greeting yet)"));
        body.put("ticks", state.get("ticks").orElse(0L));
        body.put("stateVersion", state.version());
        body.put("worker", ProcessHandle.current().pid());
        return body;
    }
}
