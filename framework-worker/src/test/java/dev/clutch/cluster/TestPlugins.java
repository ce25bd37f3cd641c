package dev.clutch.cluster;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import dev.clutch.core.api.ClutchPlugin;
import dev.clutch.core.api.Lifecycle;
import dev.clutch.core.api.LifecycleHook;
import dev.clutch.core.api.TypedConfig;
import dev.clutch.core.logging.ProcessLabel;
import dev.clutch.worker.api.Handler;
import dev.clutch.worker.api.Request;
import dev.clutch.worker.api.Routes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plugins on the test classpath, all off in their {@code reference.conf}: {@code test-store}, {@code test-audit}
 * (requires test-store), and {@code test-cycle-a}/{@code test-cycle-b}, which require each other. Each traces its
 * hooks on the console as {@code TEST-HOOK <process> <owner> <step>}.
 */
final class TestPlugins {

    private TestPlugins() {
    }

    /** The store plugin's typed settings, from its reference.conf. */
    record StoreSettings(String greeting, Duration ttl) {
    }

    public static final class Store implements ClutchPlugin {
        @Override
        public String name() {
            return "test-store";
        }

        @Override
        public List<Module> agentModules() {
            return List.of(TracingHook.module(name()));
        }

        @Override
        public List<Module> workerModules() {
            return List.of(TracingHook.module(name()), new AbstractModule() {
                @Override
                protected void configure() {
                    TypedConfig.bind(binder(), "test-store", StoreSettings.class);
                    Routes.of(binder()).get("/plugin/greeting", Greeting.class);
                }
            });
        }
    }

    public static final class Audit implements ClutchPlugin {
        @Override
        public String name() {
            return "test-audit";
        }

        @Override
        public List<String> requires() {
            return List.of("test-store");
        }

        @Override
        public List<Module> agentModules() {
            return List.of(TracingHook.module(name()));
        }

        @Override
        public List<Module> workerModules() {
            return List.of(TracingHook.module(name()));
        }
    }

    public static final class CycleA implements ClutchPlugin {
        @Override
        public String name() {
            return "test-cycle-a";
        }

        @Override
        public List<String> requires() {
            return List.of("test-cycle-b");
        }
    }

    public static final class CycleB implements ClutchPlugin {
        @Override
        public String name() {
            return "test-cycle-b";
        }

        @Override
        public List<String> requires() {
            return List.of("test-cycle-a");
        }
    }

    /** GET /plugin/greeting: the store plugin's typed settings. */
    static final class Greeting implements Handler {
        private final StoreSettings settings;

        @Inject
        Greeting(StoreSettings settings) {
            this.settings = settings;
        }

        @Override
        public Object handle(Request request) {
            return settings.greeting() + " for " + settings.ttl().toSeconds() + "s";
        }
    }

    /**
     * Logs every step it is called for, with the plugin (or application) that bound it. TEST_HOOK_SLOW_DID_READY
     * names an owner whose didReady takes a second; TEST_HOOK_FAILING_SERVER_DID_READY one whose serverDidReady
     * throws.
     */
    static final class TracingHook implements LifecycleHook {
        private static final Logger log = LoggerFactory.getLogger(TracingHook.class);
        private final String owner;
        private ProcessLabel label;

        TracingHook(String owner) {
            this.owner = owner;
        }

        static Module module(String owner) {
            return new AbstractModule() {
                @Override
                protected void configure() {
                    Lifecycle.addHook(binder()).toInstance(new TracingHook(owner));
                }
            };
        }

        @Inject
        void label(ProcessLabel label) {
            this.label = label;
        }

        private void trace(String step) {
            log.info("TEST-HOOK {} {} {}", label.fileName(), owner, step);
        }

        @Override
        public void configDidLoad() {
            trace("configDidLoad");
        }

        @Override
        public void didLoad() {
            trace("didLoad");
        }

        @Override
        public void willReady() {
            trace("willReady");
        }

        @Override
        public void didReady() throws InterruptedException {
            if (owner.equals(System.getenv("TEST_HOOK_SLOW_DID_READY"))) {
                Thread.sleep(1000);
            }
            trace("didReady");
        }

        @Override
        public void serverDidReady() {
            trace("serverDidReady");
            if (owner.equals(System.getenv("TEST_HOOK_FAILING_SERVER_DID_READY"))) {
                throw new IllegalStateException("serverDidReady of " + owner + " fails on purpose");
            }
        }

        @Override
        public void beforeClose() {
            trace("beforeClose");
        }
    }
}
