package dev.clutch.worker.internal;

import dev.clutch.worker.api.Route;
import java.util.ArrayList;
import java.util.Collection;
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

    RouteTable(Collection<Route> declared) {
        Set<String> seen = new TreeSet<>();
        for (Route route : declared) {
            if (!seen.add(route.method() + " " + route.path())) {
                throw new IllegalArgumentException("route " + route.method() + " " + route.path()
                        + " is declared twice");
            }
            routes.add(new Compiled(route, split(route.path())));
        }
        // Literal segments win over parameters: /flags/new before /flags/{name}.
        routes.sort((a, b) -> specificity(b.segments()) - specificity(a.segments()));
    }

    Match match(String method, String path) {
        String[] segments = split(path);
        Set<String> allowed = new TreeSet<>();
        for (Compiled compiled : routes) {
            Map<String, String> params = bind(compiled.segments(), segments);
            if (params == null) {
                continue;
            }
            if (compiled.route().method().equals(method)
                    || (method.equals("HEAD") && compiled.route().method().equals("GET"))) {
                return new Found(compiled.route(), params);
            }
            allowed.add(compiled.route().method());
        }
        return allowed.isEmpty() ? new NotFound() : new MethodNotAllowed(allowed);
    }

    private static Map<String, String> bind(String[] template, String[] actual) {
        if (template.length != actual.length) {
            return null;
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < template.length; i++) {
            String t = template[i];
            if (t.startsWith("{") && t.endsWith("}")) {
                if (actual[i].isEmpty()) {
                    return null;
                }
                params.put(t.substring(1, t.length() - 1), actual[i]);
            } else if (!t.equals(actual[i])) {
                return null;
            }
        }
        return params;
    }

    private static int specificity(String[] segments) {
        int literal = 0;
        for (String s : segments) {
            if (!s.startsWith("{")) {
                literal++;
            }
        }
        return literal;
    }

    private static String[] split(String path) {
        String trimmed = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        return trimmed.equals("/") ? new String[0] : trimmed.substring(1).split("/", -1);
    }
}
