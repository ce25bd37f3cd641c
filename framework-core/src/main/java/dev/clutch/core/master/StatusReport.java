package dev.clutch.core.master;

import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValueFactory;
import dev.clutch.core.logging.Plural;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The answer to {@code status}: one row per process, like {@code pm2 list}, as a table and as JSON. */
final class StatusReport {

    private static final String[] COLUMNS = {"role", "id", "pid", "state", "uptime", "restarts", "memory", "cpu",
        "requests", "heartbeat", "build"};
    /** Of a build's fingerprint, the table shows this many hex digits: enough to tell a deploy's builds apart. */
    private static final int SHORT_BUILD = 8;

    private final List<Map<String, Object>> rows = new ArrayList<>();
    private final Map<String, Object> cluster = new LinkedHashMap<>();

    StatusReport(String app, String state, String url, int targetWorkers) {
        cluster.put("app", app);
        cluster.put("state", state);
        cluster.put("url", url);
        cluster.put("targetWorkers", targetWorkers);
    }

    void master(long pid, long uptimeNanos, String build) {
        add("master", 0, pid, "running", uptimeNanos, 0, 0, -1, build);
    }

    void child(Child child, long nowNanos, int restarts) {
        String state = child.isRetiring() ? "retiring" : child.phase().name().toLowerCase(java.util.Locale.ROOT);
        long heartbeatAge = child.lastHeartbeatNanos() == 0 ? -1 : nowNanos - child.lastHeartbeatNanos();
        add(child.role().label(), child.workerId(), child.pid(), state, nowNanos - child.launchedAtNanos(), restarts,
                child.requests(), heartbeatAge, child.build());
    }

    /** A dead agent stays in the report, with why it died. */
    void deadAgent(long pid, String cause) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("role", "agent");
        row.put("id", 0);
        row.put("pid", pid);
        row.put("state", "dead: " + cause);
        rows.add(row);
    }

    private void add(String role, int id, long pid, String state, long uptimeNanos, int restarts, long requests,
                     long heartbeatAgeNanos, String build) {
        ProcessStats stats = ProcessStats.of(pid);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("role", role);
        row.put("id", id);
        row.put("pid", pid);
        row.put("state", state);
        row.put("uptimeMillis", TimeUnit.NANOSECONDS.toMillis(uptimeNanos));
        row.put("restarts", restarts);
        row.put("residentBytes", stats.residentBytes());
        row.put("cpuMillis", stats.cpuMillis());
        row.put("requests", requests);
        row.put("heartbeatAgeMillis", heartbeatAgeNanos < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(heartbeatAgeNanos));
        row.put("build", build == null ? "" : build);
        rows.add(row);
    }

    String json() {
        Map<String, Object> all = new LinkedHashMap<>(cluster);
        all.put("processes", rows);
        return ConfigValueFactory.fromMap(all).render(ConfigRenderOptions.concise());
    }

    String table() {
        List<String[]> cells = new ArrayList<>();
        cells.add(COLUMNS);
        for (Map<String, Object> row : rows) {
            cells.add(new String[] {
                String.valueOf(row.get("role")), String.valueOf(row.get("id")), String.valueOf(row.get("pid")),
                String.valueOf(row.get("state")), duration(row.get("uptimeMillis")),
                String.valueOf(row.getOrDefault("restarts", "")), megabytes(row.get("residentBytes")),
                duration(row.get("cpuMillis")), String.valueOf(row.getOrDefault("requests", "")),
                duration(row.get("heartbeatAgeMillis")), shortBuild(row.get("build"))});
        }
        int[] widths = new int[COLUMNS.length];
        for (String[] line : cells) {
            for (int i = 0; i < line.length; i++) {
                widths[i] = Math.max(widths[i], line[i].length());
            }
        }
        StringBuilder out = new StringBuilder(cluster.get("app") + " " + cluster.get("state") + ", "
                + cluster.get("url") + ", " + Plural.of(((Number) cluster.get("targetWorkers")).longValue(), "worker")
                + " wanted\n");
        for (String[] line : cells) {
            StringBuilder row = new StringBuilder();
            for (int i = 0; i < line.length; i++) {
                row.append(String.format("%-" + (widths[i] + 2) + "s", line[i]));
            }
            out.append(row.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    private static String duration(Object millis) {
        if (!(millis instanceof Long ms) || ms < 0) {
            return "-";
        }
        return ms < 1000 ? ms + "ms" : ms < 120_000 ? (ms / 1000) + "s" : (ms / 60_000) + "m";
    }

    private static String shortBuild(Object build) {
        return build instanceof String b && !b.isEmpty() ? b.substring(0, Math.min(SHORT_BUILD, b.length())) : "-";
    }

    private static String megabytes(Object bytes) {
        return bytes instanceof Long b && b >= 0 ? (b / (1024 * 1024)) + " MiB" : "-";
    }
}
