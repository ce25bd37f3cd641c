package dev.clutch.core.master;

import dev.clutch.core.alarm.Alarms;
import dev.clutch.core.logging.LogLayout;
import dev.clutch.core.message.AgentDown;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The agent's death while the cluster serves. It is never restarted automatically (a reload starts a new one): an
 * {@code agent-died} alarm with what it left behind (exit, stderr, crash file), the ready workers told so they keep
 * serving with the state they have, and its cause kept for {@code status}.
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
        record(agent, status, how, table, "agent-died", agent.describe() + " died (" + how + "); it is not "
                + "restarted, the workers keep serving with the state they have: once its log says why, run reload "
                + "(or kill -HUP " + ProcessHandle.current().pid() + ", the master) to start a new agent");
    }

    /**
     * A reload's new agent exited before it was ready: the reload stops there, and the cluster serves on without
     * an agent, as after a death, until the next reload starts one.
     *
     * @param how why it failed: how it exited, or the deadline it missed
     */
    void replacementFailed(Child agent, int status, String how, ProcessTable table) {
        record(agent, status, how, table, "reload-aborted", "reload aborted: the new " + agent.describe() + " "
                + how + " before it was ready; the workers keep serving with the state they have, without an "
                + "agent: fix what its log says, then reload again");
    }

    /** A reload's new agent could not even be launched: no process, but {@code status} says what happened. */
    void launchFailed(String why) {
        pid = 0;
        cause = "could not be launched: " + why;
    }

    private void record(Child agent, int status, String how, ProcessTable table, String alarm, String text) {
        Map<String, Object> details = WorkerSupervisor.details(agent);
        details.put("exitCode", status);
        details.put("exit", how);
        // Children write their crash file under the log directory (ChildFactory's -XX:ErrorFile).
        Path hsErr = LogLayout.crashReport(logDir, agent.pid());
        if (Files.exists(hsErr)) {
            details.put("hsErrFile", hsErr.toString());
        }
        pid = agent.pid();
        cause = how;
        alarms.raise(alarm, text, details, agent.process().lastStderrLines());
        AgentDown down = new AgentDown(agent.pid(), how);
        table.readyWorkers().forEach(worker -> worker.send(down));
    }

    /** A new agent runs (dev mode's restart, a reload's). */
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
