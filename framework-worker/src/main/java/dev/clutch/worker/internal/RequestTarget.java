package dev.clutch.worker.internal;

/** A request's target as the path and query routes are matched on (RFC 9112, 3.2). */
final class RequestTarget {

    private RequestTarget() {
    }

    /**
     * The target's path and query: the origin form ({@code /items?id=7}) as it is, an absolute URL's
     * ({@code http://host/items?id=7}, which proxies send and servers must accept) from its path on. {@code null} for
     * any other form ({@code ?id=7}, {@code items}, {@code *}), which no route can match.
     */
    static String originForm(String target) {
        if (target.startsWith("/")) {
            return target;
        }
        int authority = target.regionMatches(true, 0, "http://", 0, 7) ? 7
                : target.regionMatches(true, 0, "https://", 0, 8) ? 8 : -1;
        if (authority < 0) {
            return null;
        }
        for (int i = authority; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c == '/') {
                return target.substring(i);
            }
            if (c == '?') {
                return "/" + target.substring(i);
            }
        }
        return "/";
    }
}
