package dev.clutch.core.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Something an operator must know about, raised by the master.
 *
 * @param kind what happened: {@code agent-died}, {@code worker-hung}, {@code refork-limit}, {@code crash-loop} or
 *     {@code reload-aborted}
 * @param app the application's name ({@code clutch.name}, or the one derived from its class)
 * @param message one sentence for people
 * @param details facts for tools (pid, exit code, signal, …)
 * @param lastStderrLines the last lines the process concerned wrote to stderr, if any
 * @param at when the master raised it
 */
public record Alarm(String kind, String app, String message, Map<String, Object> details,
                    List<String> lastStderrLines, Instant at) {

    public Alarm {
        details = Map.copyOf(details);
        lastStderrLines = List.copyOf(lastStderrLines);
    }
}
