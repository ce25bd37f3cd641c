package dev.clutch.core.config;

/**
 * A duration written as a bare number, which Typesafe Config reads as milliseconds: {@code timeout = 30} is 30 ms,
 * surely not what was meant. Clutch's settings, the application's typed configuration and its schedule intervals
 * refuse one (zero aside) and say how to write it.
 */
public final class UnitlessDuration {

    private UnitlessDuration() {
    }

    /** The number as written when {@code written} (a configuration value, unwrapped) has no unit; otherwise null. */
    public static String numberOf(Object written) {
        String text = String.valueOf(written).strip();
        return text.matches("[+-]?\\d+(\\.\\d+)?") ? text : null;
    }

    /** What to say of such a number: it "has no unit, which would make it 30 ms: write ...". */
    public static String problem(String number) {
        return "has no unit, which would make it " + number + " ms: write the unit, for example \"" + number
                + "s\" or \"" + number + "ms\"";
    }
}
