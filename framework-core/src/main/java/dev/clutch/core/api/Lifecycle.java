package dev.clutch.core.api;

import com.google.inject.Binder;
import com.google.inject.binder.LinkedBindingBuilder;
import com.google.inject.multibindings.Multibinder;

/** Registration of {@link LifecycleHook}s from a Guice module. */
public final class Lifecycle {

    private Lifecycle() {
    }

    /**
     * Adds a hook: {@code Lifecycle.hooks(binder()).addBinding().to(WarmUpCache.class);}.
     *
     * @return the multibinder of this process's hooks; hooks run in the order they are added
     */
    public static Multibinder<LifecycleHook> hooks(Binder binder) {
        return Multibinder.newSetBinder(binder, LifecycleHook.class);
    }

    /** Shorthand for {@code hooks(binder).addBinding()}. */
    public static LinkedBindingBuilder<LifecycleHook> addHook(Binder binder) {
        return hooks(binder).addBinding();
    }
}
