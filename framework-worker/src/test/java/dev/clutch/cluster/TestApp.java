package dev.clutch.cluster;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import dev.clutch.core.api.Clutch;
import dev.clutch.core.api.ClutchApplication;
import dev.clutch.core.api.Lifecycle;
import dev.clutch.core.api.LifecycleHook;
import dev.clutch.core.logging.ProcessLabel;
import jakarta.inject.Inject;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application the cluster scenarios start. Its hooks report each step on the console, and misbehave on demand
 * through environment variables (children inherit the master's environment):
 * {@code TEST_AGENT_HANG}, {@code TEST_AGENT_EXIT=<code>}, {@code TEST_WORKER_THROW}.
 */
public final class TestApp implements ClutchApplication {

    public static void main(String[] args) {
        Clutch.run(TestApp.class, args);
    }

    @Override
    public List<Module> agentModules() {
        return List.of(hooks());
    }

    @Override
    public List<Module> workerModules() {
        return List.of(hooks());
    }

    private static Module hooks() {
        return new AbstractModule() {
            @Override
            protected void configure() {
                Lifecycle.addHook(binder()).to(ReportingHook.class);
            }
        };
    }

    static final class ReportingHook implements LifecycleHook {
        private static final Logger log = LoggerFactory.getLogger(ReportingHook.class);
        private final ProcessLabel label;

        @Inject
        ReportingHook(ProcessLabel label) {
            this.label = label;
        }

        @Override
        public void willReady() throws Exception {
            switch (label.role()) {
                case AGENT -> {
                    if (System.getenv("TEST_AGENT_HANG") != null) {
                        log.info("TEST: agent hangs in willReady");
                        Thread.sleep(Long.MAX_VALUE);
                    }
                    String exit = System.getenv("TEST_AGENT_EXIT");
                    if (exit != null) {
                        System.err.println("TEST: agent exits with " + exit + " during start");
                        System.exit(Integer.parseInt(exit));
                    }
                }
                case WORKER -> {
                    if (System.getenv("TEST_WORKER_THROW") != null) {
                        throw new IllegalStateException("TEST: worker refuses to start");
                    }
                }
                default -> {
                }
            }
        }

        @Override
        public void serverDidReady() {
            log.info("TEST: {} pid {} received cluster-ready", label.fileName(), ProcessHandle.current().pid());
        }

        @Override
        public void beforeClose() {
            log.info("TEST: {} beforeClose", label.fileName());
        }
    }
}
