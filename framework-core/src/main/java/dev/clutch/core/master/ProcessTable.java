package dev.clutch.core.master;

import dev.clutch.core.api.Role;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The children of the master, by pid. Touched by the master's thread only. */
final class ProcessTable {

    private final Map<Long, Child> byPid = new LinkedHashMap<>();

    void add(Child child) {
        byPid.put(child.pid(), child);
    }

    Optional<Child> byPid(long pid) {
        return Optional.ofNullable(byPid.get(pid));
    }

    Optional<Child> remove(long pid) {
        return Optional.ofNullable(byPid.remove(pid));
    }

    Optional<Child> agent() {
        return byPid.values().stream().filter(c -> c.role() == Role.AGENT).findFirst();
    }

    List<Child> workers() {
        return byPid.values().stream().filter(c -> c.role() == Role.WORKER).toList();
    }

    List<Child> readyWorkers() {
        return workers().stream().filter(c -> c.phase() == Child.Phase.READY).toList();
    }

    Collection<Child> all() {
        return List.copyOf(byPid.values());
    }

    boolean isEmpty() {
        return byPid.isEmpty();
    }
}
