package dev.clutch.core.master;

import dev.clutch.core.alarm.Alarms;
import dev.clutch.core.message.AgentDown;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The agent's death while the cluster serves. It is never restarted: an {@code agent-died} alarm with what it left
 * behind (exit, stderr, crash file), the ready workers told so they keep serving with the state they have, and
 * its cause kept for {@code status}.
 */
final class AgentDeath {

    private final Alarms alarms;
    private final Path logDir;
    private long pid;
    private String cause;

    AgentDeath(Alarms alarms, Path logDir) {
        this.alarms = alarms;
        this.logDir = logDir;
    }

    void happened(Child agent, int status, ProcessTable table) {
        String how = ExitStatus.describe(status);
        Map<String, Object> details = WorkerSupervisor.details(agent);
        details.put("exitCode", status);
        details.put("exit", how);
        // Children write their crash file under the log directory (ChildFactory's -XX:ErrorFile).
        Path hsErr = logDir.resolve("hs_err_pid" + agent.pid() + ".log");
        if (Files.exists(hsErr)) {
            details.put("hsErrFile", hsErr.toString());
        }
        pid = agent.pid();
        cause = how;
        alarms.raise("agent-died", agent.describe() + " died (" + how + "); it is not restarted, the "
                + "workers keep serving with the state they have", details, agent.process().lastStderrLines());
        AgentDown down = new AgentDown(agent.pid(), how);
        table.readyWorkers().forEach(worker -> worker.send(down));
    }

    /** A new agent runs (dev mode's restart). */
    void forget() {
        pid = 0;
        cause = null;
    }

    void addTo(StatusReport report) {
        if (cause != null) {
            report.deadAgent(pid, cause);
        }
    }
}
