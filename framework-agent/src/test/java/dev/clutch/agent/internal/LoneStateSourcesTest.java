package dev.clutch.agent.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.name.Names;
import dev.clutch.agent.api.SharedState;
import dev.clutch.agent.api.StateSource;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Sources bound where the agent would never start them are refused; those it starts are not. */
class LoneStateSourcesTest {

    static final class Source implements StateSource {
        @Override
        public void start(SharedState state) {
        }
    }

    private static Injector injector(Consumer<com.google.inject.Binder> bindings) {
        return Guice.createInjector(new AbstractModule() {
            @Override
            protected void configure() {
                Multibinder.newSetBinder(binder(), StateSource.class);
                bindings.accept(binder());
            }
        });
    }

    private static String refused(Consumer<com.google.inject.Binder> bindings) {
        Injector injector = injector(bindings);
        return assertThrows(IllegalStateException.class, () -> LoneStateSources.refuse(injector)).getMessage();
    }

    @Test
    void aSourceOnlyInTheSetOrAlsoLinkedIntoItIsStarted() {
        assertDoesNotThrow(() -> LoneStateSources.refuse(injector(binder ->
                Multibinder.newSetBinder(binder, StateSource.class).addBinding().to(Source.class))));
        assertDoesNotThrow(() -> LoneStateSources.refuse(injector(binder -> {
            binder.bind(StateSource.class).to(Source.class);
            Multibinder.newSetBinder(binder, StateSource.class).addBinding().to(StateSource.class);
        })));
        // Both linked to one class: the set's element is the source the lone binding names.
        assertDoesNotThrow(() -> LoneStateSources.refuse(injector(binder -> {
            binder.bind(StateSource.class).to(Source.class);
            Multibinder.newSetBinder(binder, StateSource.class).addBinding().to(Source.class);
        })));
    }

    @Test
    void aSourceBoundOnItsOwnIsRefusedSayingHowToBindIt() {
        String message = refused(binder -> binder.bind(StateSource.class).to(Source.class));
        assertTrue(message.startsWith("StateSource is bound on its own ("), message);
        assertTrue(message.endsWith("Multibinder.newSetBinder(binder(), StateSource.class).addBinding()"
                + ".to(YourSource.class)"), message);
    }

    @Test
    void anAnnotatedSourceBoundOnItsOwnIsRefusedNamingItsAnnotation() {
        String message = refused(binder -> binder.bind(StateSource.class).annotatedWith(Names.named("flags"))
                .to(Source.class));
        assertTrue(message.startsWith("StateSource @com.google.inject.name.Named("), message);
        assertTrue(message.contains("flags"), message);
    }
}
