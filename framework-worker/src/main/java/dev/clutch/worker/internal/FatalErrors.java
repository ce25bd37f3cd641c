package dev.clutch.worker.internal;

import dev.clutch.core.message.FatalError;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports this worker's first fatal error to the master, which forks a replacement and then drains this worker.
 * Fatal: a {@link VirtualMachineError} (out of memory, stack overflow, …) in a handler, or any {@link Error} no one
 * caught. After one, the JVM's state cannot be trusted.
 */
final class FatalErrors {

    private static final Logger log = LoggerFactory.getLogger(FatalErrors.class);

    private final AtomicBoolean reported = new AtomicBoolean();
    private final Consumer<Object> toMaster;

    FatalErrors(Consumer<Object> toMaster) {
        this.toMaster = toMaster;
    }

    static boolean isFatal(Throwable e) {
        return e instanceof VirtualMachineError;
    }

    /** Reports {@code error} if it is fatal; what is not, the caller has handled. */
    void reportIfFatal(Throwable error) {
        if (isFatal(error)) {
            report(error);
        }
    }

    void report(Throwable error) {
        if (reported.compareAndSet(false, true)) {
            log.error("fatal error: {}; asking the master for a replacement", error.toString(), error);
            try {
                toMaster.accept(new FatalError(error.toString()));
            } catch (RuntimeException e) {
                log.error("could not tell the master: {}", e.toString());
            }
        }
    }

    /** Errors nobody caught, on any thread, are fatal too. */
    void watchUncaught() {
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            if (e instanceof Error) {
                report(e);
            }
            if (previous != null) {
                previous.uncaughtException(thread, e);
            } else {
                log.error("uncaught on thread {}: {}", thread.getName(), e.toString(), e);
            }
        });
    }
}
