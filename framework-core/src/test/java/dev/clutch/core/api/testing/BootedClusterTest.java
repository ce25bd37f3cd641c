package dev.clutch.core.api.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a MULTI test's configuration reaches the master it forks: as the system properties that set it. */
class BootedClusterTest {

    private static List<String> flags(String overrides, String application) {
        Config own = ConfigFactory.parseString(overrides);
        Config resolved = own.withFallback(ConfigFactory.parseString(application)).resolve();
        return BootedCluster.asSystemProperties(own, resolved).toList();
    }

    @Test
    void aSubstitutionIsPassedWithTheValueItResolvesTo() {
        assertEquals(List.of("-Dclutch.worker.jvmArgs.0=-Xms16m", "-Dclutch.worker.jvmArgs.1=-Xmx64m"),
                flags("clutch.worker.jvmArgs = ${clutch.worker.jvmArgs} [\"-Xmx64m\"]",
                        "clutch.worker.jvmArgs = [\"-Xms16m\"]"));
    }

    @Test
    void objectsInListsArePassedKeyByKey() {
        assertEquals(List.of("-Dapp.routes.0.path=/a", "-Dapp.routes.0.weight=2"),
                flags("app.routes = [{path = \"/a\", weight = 2}]", "").stream().sorted().toList());
    }

    @Test
    void anEmptyListIsRefusedSayingWhatToDo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> flags(
                "clutch.agent.jvmArgs = []", "clutch.agent.jvmArgs = [\"-Xss512k\"]"));

        assertTrue(e.getMessage().contains("clutch.agent.jvmArgs to an empty list"), e.getMessage());
    }

    @Test
    void aNullIsRefusedInsteadOfDropped() {
        IllegalArgumentException top = assertThrows(IllegalArgumentException.class, () -> flags(
                "app.banner = null", "app.banner = hello"));
        assertTrue(top.getMessage().contains("app.banner to null"), top.getMessage());

        // Dropped, the items after it would move up one place.
        IllegalArgumentException item = assertThrows(IllegalArgumentException.class, () -> flags(
                "app.hosts = [a, null, b]", ""));
        assertTrue(item.getMessage().contains("app.hosts.1 to null"), item.getMessage());
    }

    @Test
    void aKeyWithADotInANameIsRefused() {
        IllegalArgumentException quoted = assertThrows(IllegalArgumentException.class, () -> flags(
                "app.\"example.com\".weight = 2", ""));
        assertTrue(quoted.getMessage().contains("app.\"example.com\".weight"), quoted.getMessage());

        IllegalArgumentException inAnObject = assertThrows(IllegalArgumentException.class, () -> flags(
                "app.routes = [{\"a.b\" = 1}]", ""));
        assertTrue(inAnObject.getMessage().contains("a key with a dot"), inAnObject.getMessage());
    }

    @Test
    void nestedObjectsOfTheTestArePassedLeafByLeaf() {
        assertEquals(List.of("-Dapp.db.host=h", "-Dapp.db.port=5432"),
                flags("app { db { host = h, port = 5432 } }", "").stream().sorted().toList());
    }

    @Test
    void anUnsetOptionalSubstitutionSetsNothing() {
        assertEquals(List.of(), flags("app.token = ${?CLUTCH_TEST_SURELY_UNSET}", ""));
    }

    /** The test's lines ask for single-process mode, the annotation for a cluster. */
    @ClutchTest(value = NoApplication.class, mode = ClutchTest.Mode.MULTI, config = "clutch.mode = single")
    private static final class MultiTest {
    }

    private static final class NoApplication implements dev.clutch.core.api.ClutchApplication {
    }

    @Test
    void theAnnotationsModeWinsOverTheTestsOwnLines() {
        Config overrides = BootedCluster.overrides(MultiTest.class.getAnnotation(ClutchTest.class),
                java.nio.file.Path.of("/tmp/x"));

        assertEquals("multi", overrides.getString("clutch.mode"));
    }
}
