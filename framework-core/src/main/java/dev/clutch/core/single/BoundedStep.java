package dev.clutch.core.single;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a step of a single-process start or stop (the application's hooks among it) on a thread of its own, and waits
 * for it at most a given time. In a cluster the master kills a child that takes too long; in one process nothing
 * else would bound a hook that hangs, and a test of the test kit would wait forever without a word.
 */
final class BoundedStep {

    private BoundedStep() {
    }

    /** A step that outlasted its limit; its cause carries the stack of the thread where it was stuck. */
    static final class StepTimeoutException extends TimeoutException {
        StepTimeoutException(String message, Throwable where) {
            super(message);
            initCause(where);
        }
    }

    /**
     * Runs {@code step} on a daemon thread named {@code threadName}, with the caller's context class loader.
     *
     * @param what     what the step does, for the message: "the start", "the worker's stop"
     * @param settings the settings whose values make {@code limit}, named in the message
     * @throws StepTimeoutException when the step outlasts {@code limit}; its thread is interrupted and left to
     *                              end on its own
     * @throws Exception            what the step threw (an {@link Error} is thrown as it is)
     */
    static void run(String threadName, Duration limit, String what, String settings, Callable<?> step)
            throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                step.call();
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        }, threadName);
        thread.setDaemon(true);
        thread.setContextClassLoader(Thread.currentThread().getContextClassLoader());
        thread.start();
        try {
            done.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception failure) {
                throw failure;
            }
            throw (Error) e.getCause();
        } catch (TimeoutException e) {
            Throwable where = new Throwable("where " + threadName + " was stuck");
            where.setStackTrace(thread.getStackTrace());
            thread.interrupt();
            throw new StepTimeoutException(what + " did not finish within " + limit.toMillis() + " ms (" + settings
                    + "): a hook or constructor of the application hangs, see where in the cause", where);
        }
    }
}
