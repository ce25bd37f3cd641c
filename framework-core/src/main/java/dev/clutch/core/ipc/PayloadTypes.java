package dev.clutch.core.ipc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Words for how two processes' payload registries differ. */
final class PayloadTypes {

    private PayloadTypes() {
    }

    /** {@code null} when equal; otherwise what only the master has and what only the child has. */
    static String difference(String[] master, String[] child) {
        Set<String> ours = new TreeSet<>(Arrays.asList(master));
        Set<String> theirs = new TreeSet<>(child == null ? List.of() : Arrays.asList(child));
        if (ours.equals(theirs)) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        Set<String> onlyOurs = new TreeSet<>(ours);
        onlyOurs.removeAll(theirs);
        Set<String> onlyTheirs = new TreeSet<>(theirs);
        onlyTheirs.removeAll(ours);
        if (!onlyOurs.isEmpty()) {
            parts.add("only the master has " + String.join(", ", onlyOurs));
        }
        if (!onlyTheirs.isEmpty()) {
            parts.add("only it has " + String.join(", ", onlyTheirs));
        }
        return String.join("; ", parts);
    }
}
