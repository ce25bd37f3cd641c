package dev.clutch.core.master;

import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * The one line printed when the whole cluster is ready, a contract tools read:
 * {@code clutch: cluster ready in <ms> ms, agent <pid>, workers [<pid>, ...], listening on http://<host>:<port>}.
 */
public final class ReadyLine {

    /** Groups: milliseconds, agent pid, worker pids (comma-separated), host (an IPv6 one in brackets), port. */
    public static final Pattern PATTERN = Pattern.compile("clutch: cluster ready in (\\d+) ms, agent (\\d+), "
            + "workers \\[([\\d, ]*)], listening on http://(\\[[^]\\s]+]|[^:\\s\\[]+):(\\d+)");

    private ReadyLine() {
    }

    /** {@code http://host:port}, an IPv6 host in brackets as URLs write it (RFC 3986). */
    public static String url(String host, int port) {
        return "http://" + (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
    }

    public static String format(long millis, long agentPid, long[] workerPids, String url) {
        return "clutch: cluster ready in " + millis + " ms, agent " + agentPid + ", workers "
                + Arrays.toString(workerPids) + ", listening on " + url;
    }
}
