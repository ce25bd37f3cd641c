package dev.clutch.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clutch.core.api.testing.ClutchTest;
import dev.clutch.core.api.testing.TestCluster;
import dev.clutch.core.testing.ClusterProcess;
import dev.clutch.core.testing.RawHttp;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The test kit, multi-process: a real cluster on a free port, its processes known to the test. */
@ClutchTest(value = TestApp.class, mode = ClutchTest.Mode.MULTI, workers = 2)
class TestKitMultiProcessTest {

    @Test
    void bootsARealClusterOnAFreePort(TestCluster app) throws Exception {
        assertEquals(2, app.workerPids().size());
        long self = ProcessHandle.current().pid();
        assertNotEquals(self, app.agentPid());
        assertTrue(ClusterProcess.isRunning(app.agentPid()));

        Set<Long> served = new HashSet<>();
        for (int i = 0; i < 40 && served.size() < 2; i++) {
            served.add(Long.parseLong(RawHttp.get(app.port(), "/pid").body()));
        }
        assertEquals(new HashSet<>(app.workerPids()), served, "both workers serve the port");
        assertThrows(UnsupportedOperationException.class, app::messenger);
    }
}
