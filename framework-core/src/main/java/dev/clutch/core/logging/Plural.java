package dev.clutch.core.logging;

/** A count and its noun, for the lines people read: "1 worker", "3 workers". */
public final class Plural {

    private Plural() {
    }

    /** {@code count} and {@code noun}, with an "s" unless the count is one. */
    public static String of(long count, String noun) {
        return count + " " + (count == 1 ? noun : noun + "s");
    }
}
