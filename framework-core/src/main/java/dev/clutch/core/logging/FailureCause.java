package dev.clutch.core.logging;

import com.google.inject.CreationException;
import com.google.inject.ProvisionException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The one line that says why something failed. Guice and the JDK wrap what the application threw (an injector
 * that cannot be created, a provisioning error, an invocation target) in exceptions that add nothing a person can
 * act on: the line names what they wrap instead. Exceptions that add context of their own (which key, file and
 * line, which host and port) are kept, and the stack trace that follows the line keeps the whole chain.
 */
public final class FailureCause {

    /** Chains longer than this are cut: a cause cycle must not hang a process that is failing already. */
    private static final int MAX_DEPTH = 32;

    private FailureCause() {
    }

    /** {@code e}, or what its pure wrappers wrap, and the outermost wrapper's name. */
    public static String describe(Throwable e) {
        Throwable cause = e;
        for (int depth = 0; isPureWrapper(cause) && cause.getCause() != null && depth < MAX_DEPTH; depth++) {
            cause = cause.getCause();
        }
        return cause == e ? e.toString() : cause + " (in " + e.getClass().getName() + ")";
    }

    private static boolean isPureWrapper(Throwable e) {
        return e instanceof CreationException || e instanceof ProvisionException
                || e instanceof InvocationTargetException || e instanceof UndeclaredThrowableException
                || e instanceof ExecutionException || e instanceof CompletionException;
    }
}
