package dev.clutch.core.logging;

/**
 * The one line that says why something failed. Guice and the JDK wrap what the application threw (an injector
 * that cannot be created, a provisioning error, an invocation target): the line names the innermost cause, which
 * is what a person can act on, and the stack trace that follows it keeps the whole chain.
 */
public final class FailureCause {

    /** Chains longer than this are cut: a cause cycle must not hang a process that is failing already. */
    private static final int MAX_DEPTH = 32;

    private FailureCause() {
    }

    /** {@code e} itself when nothing wraps, else its innermost cause and what wrapped it. */
    public static String describe(Throwable e) {
        Throwable root = e;
        for (int depth = 0; root.getCause() != null && root.getCause() != root && depth < MAX_DEPTH; depth++) {
            root = root.getCause();
        }
        return root == e ? e.toString() : root + " (in " + e.getClass().getName() + ")";
    }
}
