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
}
