package dev.clutch.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clutch.core.control.ControlClient;
import dev.clutch.core.message.ControlReply;
import dev.clutch.core.message.ControlRequest;
import dev.clutch.core.testing.ClusterProcess;
import dev.clutch.core.testing.Http;
import java.io.File;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A reload reads the configuration files as they are now, and applies each setting as its kind says. */
class SettingsReloadTest {

    private static final Duration BOOT = Duration.ofSeconds(60);

    @TempDir
    Path baseDir;

    /** A classpath directory ahead of the test classes: its application.conf is the one a deploy changes. */
    @TempDir
    Path files;

    /** A 1-worker cluster whose application.conf is {@code conf}, empty at the start, for a deploy to change. */
    private ClusterProcess startWithConfigurationIn(Path conf) throws Exception {
        Files.writeString(conf, "# as started\n");
        return ClusterScenarios.testApp(baseDir, 1)
                .classpath(files + File.pathSeparator + System.getProperty("java.class.path"))
                .start();
    }

    @Test
    void aReloadAppliesTheWorkersAndTheMastersSettingsAndSaysWhichWaitForARestart() throws Exception {
        Path conf = files.resolve("application.conf");
        try (ClusterProcess cluster = startWithConfigurationIn(conf)) {
            ClusterProcess.Ready ready = cluster.awaitReady(BOOT);
            ControlClient master = new ControlClient(baseDir.resolve("run/control.sock"), 1024 * 1024);

            Files.writeString(conf, """
                    clutch.worker.jvmArgs = ${clutch.worker.jvmArgs} ["-Dtest.deployment=2"]
                    clutch.worker.maxRequests = 5
                    clutch.worker.heartbeatInterval = 1s
                    """);
            ControlReply reloaded = master.send(new ControlRequest("reload", new String[0]), BOOT);

            assertTrue(reloaded.ok(), reloaded.text());
            String text = reloaded.text();
            assertTrue(text.contains("-Dtest.deployment=2] (") && text.contains("application.conf: 1): the new "
                    + "workers take it"), text);
            assertTrue(text.contains("clutch.worker.maxRequests = 5 (") && text.contains("application.conf, line 2): "
                    + "the master applies it now (it had 0)"), text);
            assertTrue(text.contains("clutch.worker.heartbeatInterval = 1s (") && text.contains("application.conf, "
                    + "line 3): a setting of the master, every process keeps 5s until a stop and a start"), text);

            HttpResponse<String> first = Http.get(ready.url("/_clutch/health"));
            long worker = Long.parseLong(first.headers().firstValue("X-Clutch-Worker").orElseThrow());
            assertFalse(ready.workerPids().contains(worker), "a new worker answers");
            assertTrue(ClusterProcess.commandLine(worker).contains("-Dtest.deployment=2"),
                    "the new worker runs with the JVM options of the files: " + ClusterProcess.commandLine(worker));
            for (int i = 0; i < 5; i++) {
                assertEquals(200, Http.get(ready.url("/_clutch/health")).statusCode());
            }
            cluster.awaitLine("worker-1 (pid " + worker + ") served", BOOT);
            assertTrue(cluster.output().contains("requests (clutch.worker.maxRequests): replacing it"),
                    "the master recycles by the limit the reload took: " + cluster.output());

            Files.writeString(conf, "clutch.worker.maxMemory = lots\n");
            ControlReply refused = master.send(new ControlRequest("reload", new String[0]), BOOT);
            assertFalse(refused.ok(), refused.text());
            assertTrue(refused.text().contains("reload refused: the application's configuration files on disk do not "
                    + "load, so nothing was replaced") && refused.text().contains("clutch.worker.maxMemory = lots ("),
                    refused.text());
        }
    }

    @Test
    void aReloadWhoseNewWorkerCannotBeLaunchedIsAbortedWithTheAlarmAndTheCause() throws Exception {
        Path conf = files.resolve("application.conf");
        try (ClusterProcess cluster = startWithConfigurationIn(conf)) {
            ClusterProcess.Ready ready = cluster.awaitReady(BOOT);
            ControlClient master = new ControlClient(baseDir.resolve("run/control.sock"), 1024 * 1024);

            // No process can be started with a NUL in its command line: the launch itself fails.
            Files.writeString(conf, "clutch.worker.jvmArgs = [\"-Dtest.broken=a\\u0000b\"]\n");
            ControlReply reloaded = master.send(new ControlRequest("reload", new String[0]), BOOT);

            assertFalse(reloaded.ok(), reloaded.text());
            assertTrue(reloaded.text().contains("cannot launch a new worker-1: java.io.IOException"), reloaded.text());
            cluster.awaitLine("ALARM reload-aborted: reload aborted: cannot launch a new worker-1: java.io.IOException",
                    BOOT);
            assertEquals(200, Http.get(ready.url("/_clutch/health")).statusCode(), "the old worker serves on");
        }
    }
}
