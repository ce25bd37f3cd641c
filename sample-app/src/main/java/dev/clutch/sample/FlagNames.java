package dev.clutch.sample;

import java.util.regex.Pattern;

/** What agent and workers agree on: flag names, their shared-state keys, the messenger action. */
public final class FlagNames {

    /** Shared-state keys of flags start with this ({@code clutch.state.filePrefix}). */
    public static final String STATE_PREFIX = "flag.";
    /** The agent's messenger action that sets a flag. */
    public static final String SET_ACTION = "flags.set";
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

    private FlagNames() {
    }

    public static boolean isValid(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** Why {@code name} is not a flag name, for a 400's body. */
    public static String rule() {
        return "a flag name is 1 to 64 lower-case letters, digits, '-' or '_', starting with a letter or digit";
    }
}
