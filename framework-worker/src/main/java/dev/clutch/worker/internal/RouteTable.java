package dev.clutch.worker.internal;

import dev.clutch.worker.api.Route;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Finds the route of a request: by path template, then by method; tells 404 from 405. */
final class RouteTable {

    /** What a lookup found. */
    sealed interface Match permits Found, NotFound, MethodNotAllowed {
    }

    record Found(Route route, Map<String, String> params) implements Match {
    }

    record NotFound() implements Match {
    }

    /** The path exists, with other methods. */
    record MethodNotAllowed(Set<String> allowed) implements Match {
    }

    private record Compiled(Route route, String[] segments) {
    }

    private final List<Compiled> routes = new ArrayList<>();
    /** Routes without parameters by their path, most of a typical table: found without splitting the path. */
    private final Map<String, List<Compiled>> byLiteralPath = new HashMap<>();

    RouteTable(Collection<Route> declared) {
        Set<String> seen = new TreeSet<>();
        for (Route route : declared) {
            if (!seen.add(route.method() + " " + route.path())) {
                throw new IllegalArgumentException("route " + route.method() + " " + route.path()
                        + " is declared twice");
            }
            routes.add(new Compiled(route, segments(withoutTrailingSlash(route.path()))));
        }
        // Literal segments win over parameters: /flags/new before /flags/{name}.
        routes.sort((a, b) -> specificity(b.segments()) - specificity(a.segments()));
        for (Compiled compiled : routes) {
            if (specificity(compiled.segments()) == compiled.segments().length) {
                byLiteralPath.computeIfAbsent(withoutTrailingSlash(compiled.route().path()), p -> new ArrayList<>())
                        .add(compiled);
            }
        }
    }

    /**
     * @param rawPath the request's path as sent, percent-encoded: split first, then each segment decoded, so an
     *     encoded slash ({@code %2F}) is part of a segment, not a separator
     * @throws IllegalArgumentException for a segment whose percent-encoding is malformed
     */
    Match match(String method, String rawPath) {
        String trimmed = withoutTrailingSlash(rawPath);
        boolean encoded = trimmed.indexOf('%') >= 0;
        String[] segments = null;
        // HEAD is served by the GET route of a path unless the path has a HEAD route of its own.
        for (String wanted : method.equals("HEAD") ? List.of("HEAD", "GET") : List.of(method)) {
            // A route whose every segment is literal is the most specific one for its path: if it takes this
            // method, the full scan would find it first too.
            List<Compiled> literal = encoded ? null : byLiteralPath.get(trimmed);
            if (literal != null) {
                for (Compiled compiled : literal) {
                    if (compiled.route().method().equals(wanted)) {
                        return new Found(compiled.route(), Map.of());
                    }
                }
            }
            if (segments == null) {
                segments = segments(trimmed);
                if (encoded) {
                    for (int i = 0; i < segments.length; i++) {
                        segments[i] = decode(segments[i]);
                    }
                }
            }
            for (Compiled compiled : routes) {
                if (compiled.route().method().equals(wanted) && matches(compiled.segments(), segments)) {
                    return new Found(compiled.route(), params(compiled.segments(), segments));
                }
            }
        }
        Set<String> allowed = new TreeSet<>();
        for (Compiled compiled : routes) {
            if (matches(compiled.segments(), segments)) {
                allowed.add(compiled.route().method());
            }
        }
        if (allowed.contains("GET")) {
            allowed.add("HEAD");
        }
        return allowed.isEmpty() ? new NotFound() : new MethodNotAllowed(allowed);
    }

    private static boolean matches(String[] template, String[] actual) {
        if (template.length != actual.length) {
            return false;
        }
        for (int i = 0; i < template.length; i++) {
            if (isParameter(template[i]) ? actual[i].isEmpty() : !template[i].equals(actual[i])) {
                return false;
            }
        }
        return true;
    }

    /** The parameters of a path that {@link #matches} the template. */
    private static Map<String, String> params(String[] template, String[] actual) {
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < template.length; i++) {
            if (isParameter(template[i])) {
                params.put(template[i].substring(1, template[i].length() - 1), actual[i]);
            }
        }
        return params;
    }

    private static boolean isParameter(String segment) {
        return segment.startsWith("{") && segment.endsWith("}");
    }

    private static int specificity(String[] segments) {
        int literal = 0;
        for (String s : segments) {
            if (!isParameter(s)) {
                literal++;
            }
        }
        return literal;
    }

    /** @param trimmed a path without its trailing slash */
    private static String[] segments(String trimmed) {
        return trimmed.equals("/") ? new String[0] : trimmed.substring(1).split("/", -1);
    }

    /** A path segment's percent-encoding decoded; a '+' in a path is itself, not a space as in a query. */
    private static String decode(String segment) {
        return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String withoutTrailingSlash(String path) {
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }
}
