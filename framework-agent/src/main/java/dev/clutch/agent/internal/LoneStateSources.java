package dev.clutch.agent.internal;

import com.google.inject.Binding;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import com.google.inject.multibindings.MapBinderBinding;
import com.google.inject.multibindings.MultibinderBinding;
import com.google.inject.multibindings.MultibindingsTargetVisitor;
import com.google.inject.multibindings.OptionalBinderBinding;
import com.google.inject.spi.DefaultBindingTargetVisitor;
import com.google.inject.spi.LinkedKeyBinding;
import dev.clutch.agent.api.StateSource;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The agent starts the sources in the {@code Set<StateSource>} only: one bound on its own, with or without an
 * annotation, would never be started, so the start fails saying how to bind it. Bound on its own and also put into
 * the set ({@code addBinding().to(StateSource.class)}), or both linked to one class, is fine.
 */
final class LoneStateSources {

    private static final TypeLiteral<Set<StateSource>> SET = new TypeLiteral<>() { };

    private LoneStateSources() {
    }

    /** @throws IllegalStateException naming the first source bound outside the set, and where */
    static void refuse(Injector injector) {
        Set<Key<?>> inTheSet = new HashSet<>();
        for (Binding<?> element : injector.getBinding(Key.get(SET)).acceptTargetVisitor(new SetElements())) {
            inTheSet.add(element.getKey());
            if (element instanceof LinkedKeyBinding<?> linked) {
                inTheSet.add(linked.getLinkedKey());
            }
        }
        for (Binding<?> binding : injector.getBindings().values()) {
            Key<?> key = binding.getKey();
            if (key.getTypeLiteral().getRawType() != StateSource.class || inTheSet.contains(key)
                    || binding instanceof LinkedKeyBinding<?> linked && inTheSet.contains(linked.getLinkedKey())) {
                continue;
            }
            String name = key.getAnnotation() != null ? "StateSource " + key.getAnnotation()
                    : key.getAnnotationType() != null ? "StateSource @" + key.getAnnotationType().getSimpleName()
                    : "StateSource";
            throw new IllegalStateException(name + " is bound on its own (" + binding.getSource() + "), so the "
                    + "agent would never start it: bind each source into the set, with "
                    + "Multibinder.newSetBinder(binder(), StateSource.class).addBinding().to(YourSource.class)");
        }
    }

    /** The element bindings of a Multibinder's set. */
    private static final class SetElements extends DefaultBindingTargetVisitor<Set<StateSource>, List<Binding<?>>>
            implements MultibindingsTargetVisitor<Set<StateSource>, List<Binding<?>>> {

        @Override
        public List<Binding<?>> visit(MultibinderBinding<? extends Set<StateSource>> multibinding) {
            return List.copyOf(multibinding.getElements());
        }

        @Override
        public List<Binding<?>> visit(MapBinderBinding<? extends Set<StateSource>> mapbinding) {
            return List.of();
        }

        @Override
        public List<Binding<?>> visit(OptionalBinderBinding<? extends Set<StateSource>> optionalbinding) {
            return List.of();
        }

        @Override
        protected List<Binding<?>> visitOther(Binding<? extends Set<StateSource>> binding) {
            return List.of();
        }
    }
}
