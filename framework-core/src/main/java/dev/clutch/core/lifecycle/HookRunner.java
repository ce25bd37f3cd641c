package dev.clutch.core.lifecycle;

import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import dev.clutch.core.api.LifecycleHook;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls one process's {@link LifecycleHook}s in order (reverse order for {@code beforeClose}), naming the hook
 * that failed and logging the slow ones.
 */
public final class HookRunner {

    /** A hook slower than this is logged with its duration. */
    private static final long SLOW_MILLIS = 500;
    private static final Logger log = LoggerFactory.getLogger(HookRunner.class);

    /** One step of a hook, e.g. {@code LifecycleHook::willReady}. */
    @FunctionalInterface
    public interface Step {
        void call(LifecycleHook hook) throws Exception;
    }

    private final List<LifecycleHook> hooks;

    private HookRunner(List<LifecycleHook> hooks) {
        this.hooks = hooks;
    }

    /** The hooks bound in {@code injector}, in binding order; none if nothing was bound. */
    public static HookRunner of(Injector injector) {
        Key<Set<LifecycleHook>> key = Key.get(new TypeLiteral<>() { });
        if (injector.getExistingBinding(key) == null) {
            return new HookRunner(List.of());
        }
        return new HookRunner(List.copyOf(injector.getInstance(key)));
    }

    /**
     * Runs {@code step} on every hook in order.
     *
     * @throws HookFailedException naming the hook and step, wrapping what it threw
     */
    public void run(String stepName, Step step) {
        runAll(stepName, step, hooks);
    }

    /**
     * Runs {@code step} on every hook in order, once the process is past the point where a failing hook could fail
     * its start: a failing hook is logged and the others still run.
     */
    public void runLogged(String stepName, Step step) {
        runEachLogged(stepName, step, hooks);
    }

    /** Runs {@code step} on every hook in reverse order; a failing hook is logged and the others still run. */
    public void runReversed(String stepName, Step step) {
        List<LifecycleHook> reversed = new ArrayList<>(hooks);
        Collections.reverse(reversed);
        runEachLogged(stepName, step, reversed);
    }

    private static void runEachLogged(String stepName, Step step, List<LifecycleHook> hooks) {
        for (LifecycleHook hook : hooks) {
            try {
                call(stepName, step, hook);
            } catch (HookFailedException e) {
                log.error(e.getMessage(), e.getCause());
            }
        }
    }

    private static void runAll(String stepName, Step step, List<LifecycleHook> hooks) {
        for (LifecycleHook hook : hooks) {
            call(stepName, step, hook);
        }
    }

    private static void call(String stepName, Step step, LifecycleHook hook) {
        long start = System.nanoTime();
        try {
            step.call(hook);
        } catch (VirtualMachineError fatal) {
            throw fatal;
        } catch (Exception | Error e) {
            // An assert, a ServiceConfigurationError: the hook failed, named as such; in runLogged and runReversed
            // the hooks after it still run.
            throw new HookFailedException(hook.getClass().getName() + "." + stepName + " failed: " + e, e);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (millis >= SLOW_MILLIS) {
            log.info("{}.{} took {} ms", hook.getClass().getName(), stepName, millis);
        }
    }

    /** A lifecycle hook threw; the message names it. */
    public static final class HookFailedException extends RuntimeException {
        HookFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
