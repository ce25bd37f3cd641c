package dev.clutch.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clutch.core.testing.ClusterProcess;
import dev.clutch.core.testing.Http;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterBootTest {

    private static final Duration BOOT = Duration.ofSeconds(60);

    @TempDir
    Path baseDir;

    @Test
    void bootsAgentAndTwoWorkersWhoseCodeWaitsForTheAgentAndEveryProcessReceivesClusterReady() throws Exception {
        try (ClusterProcess cluster = ClusterScenarios.start(baseDir, 2)) {
            ClusterProcess.Ready ready = cluster.awaitReady(BOOT);

            assertEquals(2, ready.workerPids().size());
            List<Long> children = new ArrayList<>(ready.workerPids());
            children.add(ready.agentPid());
            for (long pid : children) {
                ProcessHandle child = ProcessHandle.of(pid).orElseThrow();
                assertEquals(cluster.pid(), child.parent().orElseThrow().pid(), "parent of " + pid);
                cluster.awaitLine("pid " + pid + " received cluster-ready", Duration.ofSeconds(10));
            }
            assertTrue(ClusterProcess.commandLine(ready.agentPid()).contains("-Dclutch.role=agent -Dclutch.app=test-app"));
            assertTrue(ClusterProcess.commandLine(ready.workerPids().get(0)).contains("-Dclutch.role=worker"));
            String output = cluster.output();
            int agentReady = output.indexOf("agent (pid " + ready.agentPid() + ") is ready");
            assertTrue(agentReady > 0 && output.indexOf("launched worker-1") < agentReady, "the workers are "
                    + "launched beside the agent: " + output);
            for (String worker : List.of("worker-1", "worker-2")) {
                assertTrue(agentReady < output.indexOf("TEST: " + worker + " runs its application code"),
                        "no worker runs application code before the agent is ready: " + output);
            }
            assertTrue(!output.contains("sun.misc.Unsafe"), "no Unsafe warning from any child's start (JDK 24+ "
                    + "warns unless Guice's bytecode generation is off): " + output);

            HttpResponse<String> health = Http.get(ready.url("/_clutch/health"));
            assertEquals(200, health.statusCode());
            long servedBy = Long.parseLong(health.headers().firstValue("X-Clutch-Worker").orElseThrow());
            assertTrue(ready.workerPids().contains(servedBy), "served by a worker: " + servedBy);
            String netty = Http.get(ready.url("/netty-platform")).body();
            assertTrue(netty.contains("jfr=false"),
                    "Netty's JFR events are off by default: they cost a third of a worker's start-up CPU; " + netty);
            if (Runtime.version().feature() <= 25) {
                assertTrue(netty.contains("unsafe=true"), "on JDK 24 and 25 too, where Netty's replacement costs "
                        + "each process 0.15-0.2 s of start-up; " + netty);
            }
        }
    }

    @Test
    void eachRoleLogsToItsOwnFileAndTheRunDirectoryIsOwnerOnly() throws Exception {
        try (ClusterProcess cluster = ClusterScenarios.start(baseDir, 2)) {
            ClusterProcess.Ready ready = cluster.awaitReady(BOOT);
            cluster.awaitLine("worker-2 pid", Duration.ofSeconds(10));

            String master = cluster.log("master.log");
            assertTrue(master.contains("[master:" + cluster.pid() + "]"), master);
            assertTrue(master.contains("clutch: cluster ready in"), master);
            assertTrue(cluster.log("agent.log").contains("[agent:" + ready.agentPid() + "]"));
            assertTrue(cluster.log("agent.log").contains("TEST: logback-clutch.xml applies on top"),
                    "the application's logback-clutch.xml adds to the layout, which stays");
            assertTrue(cluster.log("worker-1.log").contains("[worker-1:"));
            assertTrue(cluster.log("worker-2.log").contains("[worker-2:"));
            assertTrue(Files.exists(baseDir.resolve("logs/common-error.log")));
            assertEquals("rwx------",
                    PosixFilePermissions.toString(Files.getPosixFilePermissions(baseDir.resolve("run"))));
        }
    }
}
