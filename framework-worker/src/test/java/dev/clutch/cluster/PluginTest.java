package dev.clutch.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clutch.core.testing.ClusterProcess;
import dev.clutch.core.testing.Http;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plugins from the classpath: switched per env, ordered by their requirements, their hooks in Egg's order. */
class PluginTest {

    private static final int CONFIG_ERROR = 2;
    private static final int START_FAILED = 3;
    private static final Pattern HOOK = Pattern.compile("TEST-HOOK (\\S+) (\\S+) (\\S+)");
    private static final List<String> START = List.of("configDidLoad", "didLoad", "willReady", "didReady",
            "serverDidReady");

    @TempDir
    Path baseDir;

    @Test
    void pluginsOnInTheirEnvLoadInOrderAndEveryHookRunsInOrderInBothRoles() throws Exception {
        try (ClusterProcess cluster = ClusterScenarios.testApp(baseDir, 1)
                .property("clutch.env", "plugins")
                .start()) {
            ClusterProcess.Ready ready = cluster.awaitReady(Duration.ofSeconds(60));
            assertTrue(cluster.output().contains("plugins: test-store, test-audit (off: test-cycle-a, "
                    + "test-cycle-b), env plugins"), cluster.output());
            assertEquals("hello for 5s", Http.get(ready.url("/plugin/greeting")).body());
            cluster.awaitLine("TEST-HOOK worker-1 app serverDidReady", Duration.ofSeconds(30));
            cluster.awaitLine("TEST-HOOK agent app serverDidReady", Duration.ofSeconds(30));

            cluster.signal("TERM");
            assertEquals(0, cluster.awaitExit(Duration.ofSeconds(60)));

            List<String> expected = new ArrayList<>();
            for (String step : START) {
                for (String owner : List.of("test-store", "test-audit", "app")) {
                    expected.add(owner + " " + step);
                }
            }
            expected.addAll(List.of("app beforeClose", "test-audit beforeClose", "test-store beforeClose"));
            assertEquals(expected, hooks(cluster, "agent"));
            assertEquals(expected, hooks(cluster, "worker-1"));
        }
    }

    @Test
    void serverDidReadyWaitsForASlowDidReadyAndAFailingOneNeitherStopsTheOthersNorTheSchedules() throws Exception {
        try (ClusterProcess cluster = ClusterScenarios.testApp(baseDir, 1)
                .property("clutch.env", "plugins")
                .env("TEST_HOOK_SLOW_DID_READY", "test-audit")
                .env("TEST_HOOK_FAILING_SERVER_DID_READY", "test-store")
                .env("TEST_SCHEDULES", "1")
                .start()) {
            cluster.awaitReady(Duration.ofSeconds(60));
            cluster.awaitLine("TEST-HOOK worker-1 app serverDidReady", Duration.ofSeconds(30));
            cluster.awaitLine("TEST-HOOK agent app serverDidReady", Duration.ofSeconds(30));
            await("the agent's schedules run").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> cluster.log("schedule.log").contains("schedule cron: ok"));
            assertTrue(cluster.output().contains("TracingHook.serverDidReady failed: java.lang.IllegalStateException: "
                    + "serverDidReady of test-store fails on purpose"), cluster.output());

            for (String process : List.of("agent", "worker-1")) {
                List<String> steps = hooks(cluster, process);
                int lastDidReady = steps.lastIndexOf("app didReady");
                int firstServerDidReady = steps.indexOf("test-store serverDidReady");
                assertTrue(lastDidReady >= 0 && lastDidReady < firstServerDidReady, process + ": " + steps);
                assertTrue(steps.containsAll(List.of("test-audit serverDidReady", "app serverDidReady")),
                        process + ": " + steps);
            }
        }
    }

    @Test
    void withoutTheirEnvThePluginsStayOff() throws Exception {
        try (ClusterProcess cluster = ClusterScenarios.start(baseDir, 1)) {
            ClusterProcess.Ready ready = cluster.awaitReady(Duration.ofSeconds(60));

            assertTrue(cluster.output().contains("plugins: none (off: test-audit, test-cycle-a, test-cycle-b, "
                    + "test-store)"), cluster.output());
            assertEquals(404, Http.get(ready.url("/plugin/greeting")).statusCode());
            assertFalse(cluster.output().contains("TEST-HOOK agent test-store"), cluster.output());
        }
    }

    @Test
    void aCycleOfRequirementsFailsTheStartNamingThePlugins() throws Exception {
        String output = ClusterScenarios.failedStart(ClusterScenarios.testApp(baseDir, 1)
                .property("clutch.plugins.test-cycle-a.enabled", "true")
                .property("clutch.plugins.test-cycle-b.enabled", "true"), CONFIG_ERROR);
        assertTrue(output.contains("plugins require each other in a cycle: test-cycle-a → "
                + "test-cycle-b → test-cycle-a"), output);
        assertFalse(output.contains("launched agent"), output);
    }

    @Test
    void aRequirementSwitchedOffFailsTheStartSayingWhere() throws Exception {
        String output = ClusterScenarios.failedStart(ClusterScenarios.testApp(baseDir, 1)
                .property("clutch.plugins.test-audit.enabled", "true"), CONFIG_ERROR);
        assertTrue(output.contains("plugin 'test-audit' requires plugin 'test-store', which is switched "
                + "off (clutch.plugins.test-store.enabled = false in "), output);
        // The file to edit, not the build's copy of it.
        assertTrue(output.contains("src/test/resources/reference.conf (as built into target/test-classes), line 3): "
                + "switch it on, or switch 'test-audit' off too"), output);
    }

    @Test
    void aBadTypedValueFailsTheStartWithKeyAndOrigin() throws Exception {
        String output = ClusterScenarios.failedStart(ClusterScenarios.testApp(baseDir, 1)
                .property("clutch.env", "plugins")
                .property("test-store.ttl", "soon"), START_FAILED);
        assertTrue(output.contains("bad configuration for StoreSettings: system properties: "
                + "Invalid value at 'test-store.ttl': No number in duration value 'soon'"),
                output);
    }

    @Test
    void anUnknownClutchKeyWarnsWithTheKeyMeant() throws Exception {
        try (ClusterProcess cluster = ClusterScenarios.testApp(baseDir, 1)
                .property("clutch.worker.heartbeatIntervl", "1s")
                .start()) {
            cluster.awaitReady(Duration.ofSeconds(60));
            assertTrue(cluster.output().contains("unknown configuration key clutch.worker.heartbeatIntervl (system "
                    + "properties): Clutch does not read it; did you mean clutch.worker.heartbeatInterval?"),
                    cluster.output());
        }
    }

    /** The hook steps one process traced, in order: {@code owner step}. */
    private static List<String> hooks(ClusterProcess cluster, String process) {
        List<String> steps = new ArrayList<>();
        for (String line : cluster.lines()) {
            Matcher m = HOOK.matcher(line);
            if (m.find() && m.group(1).equals(process)) {
                steps.add(m.group(2) + " " + m.group(3));
            }
        }
        return steps;
    }
}
