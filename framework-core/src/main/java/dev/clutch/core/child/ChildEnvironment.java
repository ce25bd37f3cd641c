package dev.clutch.core.child;

import dev.clutch.core.api.Role;
import dev.clutch.core.logging.ProcessLabel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the master tells a child through its environment: role, worker slot, where the master listens, the one-time
 * token, and the decisions the child must share with the master (environment name, command-line overrides). The
 * one place that names these variables, for both ends.
 *
 * @param configOverrides HOCON of the master's command-line flags, so children see the same configuration
 */
public record ChildEnvironment(Role role, int workerId, Path ipcSocket, String token, String env,
                               String configOverrides) {

    static final String IPC_SOCKET = "CLUTCH_IPC_SOCKET";
    static final String IPC_TOKEN = "CLUTCH_IPC_TOKEN";
    static final String ENV = "CLUTCH_ENV";
    static final String OVERRIDES = "CLUTCH_CONFIG_OVERRIDES";

    /** True in a process the master launched. */
    public static boolean isChild() {
        String role = System.getenv(ProcessLabel.ROLE_ENV);
        return role != null && !role.isBlank();
    }

    /** Reads the environment of this child process. */
    public static ChildEnvironment current() {
        ProcessLabel label = ProcessLabel.current();
        return new ChildEnvironment(label.role(), label.workerId(), Path.of(required(IPC_SOCKET)),
                required(IPC_TOKEN), required(ENV), System.getenv().getOrDefault(OVERRIDES, ""));
    }

    private static String required(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("environment variable " + name + " is missing: Clutch child processes "
                    + "are started by the master, not by hand");
        }
        return value;
    }

    /** The variables to add to the child's environment. */
    public Map<String, String> toVariables() {
        Map<String, String> variables = new LinkedHashMap<>();
        variables.put(ProcessLabel.ROLE_ENV, role.label());
        variables.put(ProcessLabel.WORKER_ID_ENV, Integer.toString(workerId));
        variables.put(IPC_SOCKET, ipcSocket.toString());
        variables.put(IPC_TOKEN, token);
        variables.put(ENV, env);
        variables.put(OVERRIDES, configOverrides);
        return variables;
    }
}
