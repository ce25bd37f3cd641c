package dev.clutch.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clutch.core.testing.ClusterProcess;
import dev.clutch.core.testing.Http;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rotation of the cluster's log files: the master moves them, every process goes on in a new file. */
class LogFilesTest {

    @TempDir
    Path baseDir;

    @Test
    void filesRotateWithoutLosingALineAndOldOnesExpire() throws Exception {
        Path logs = Files.createDirectories(baseDir.resolve("logs"));
        Files.writeString(logs.resolve("master.log.2000-01-01"), "expired\n");
        Files.writeString(logs.resolve("agent.log"), "from an earlier day\n");
        Instant twoDaysAgo = Instant.now().minus(Duration.ofDays(2));
        Files.setLastModifiedTime(logs.resolve("agent.log"), FileTime.from(twoDaysAgo));

        try (ClusterProcess cluster = ClusterScenarios.testApp(baseDir, 1)
                .property("clutch.log.maxFileSize", "2KiB")
                .start()) {
            ClusterProcess.Ready ready = cluster.awaitReady(Duration.ofSeconds(60));

            assertFalse(Files.exists(logs.resolve("master.log.2000-01-01")), "older than clutch.log.maxHistory");
            LocalDate lastWritten = LocalDate.ofInstant(twoDaysAgo, ZoneId.systemDefault());
            assertEquals("from an earlier day\n", Files.readString(logs.resolve("agent.log." + lastWritten)));
            assertTrue(cluster.log("agent.log").contains("agent:" + ready.agentPid()), "this start's own file");

            List<String> ids = new ArrayList<>();
            await("the access log rotated for its size").atMost(Duration.ofSeconds(60))
                    .until(() -> {
                        ids.add(requestId(ready));
                        return !rotated(logs, "worker-1-access.log").isEmpty();
                    });
            // Lines logged before the worker reopens its file (within a second) still go to the renamed one.
            await("the worker writes to a new file").atMost(Duration.ofSeconds(10)).until(() -> {
                ids.add(requestId(ready));
                String current = cluster.log("worker-1-access.log");
                return ids.stream().anyMatch(id -> current.contains(" " + id + "\n"));
            });
            await("every request in one of the files").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                String all = allOf(logs, "worker-1-access.log");
                for (String id : ids) {
                    assertEquals(1, all.lines().filter(line -> line.endsWith(" " + id)).count(), id);
                }
            });
        }
    }

    /**
     * With the application's own logback configuration every process logs as it says, Clutch writes none of its
     * own files, and the log directory still takes what the children print outside logging (a thread dump).
     */
    @Test
    void anApplicationsOwnLoggingRulesAndTheLogDirectoryStillTakesThreadDumps() throws Exception {
        Path own = baseDir.resolve("own.log");
        Path configuration = Files.writeString(baseDir.resolve("own-logback.xml"), """
                <configuration>
                  <appender name="OWN" class="ch.qos.logback.core.FileAppender">
                    <file>%s</file>
                    <encoder><pattern>OWN %%logger{0} %%msg%%n</pattern></encoder>
                  </appender>
                  <root level="INFO"><appender-ref ref="OWN"/></root>
                </configuration>
                """.formatted(own));
        Path logs = baseDir.resolve("logs");

        try (ClusterProcess cluster = ClusterScenarios.testApp(baseDir, 1)
                .property("logback.configurationFile", configuration.toString())
                .start()) {
            ClusterProcess.Ready ready = cluster.awaitReady(Duration.ofSeconds(60));
            assertEquals(200, Http.get(ready.url("/pid")).statusCode());

            String lines = Files.readString(own);
            assertTrue(lines.contains("OWN Master master: "), "the master's lines: " + lines);
            assertTrue(lines.contains("OWN HttpServer serving HTTP on"), "a worker's lines: " + lines);
            assertTrue(Files.isDirectory(logs), "the log directory is made for the children's crash reports");
            assertFalse(Files.exists(logs.resolve("master.log")), "Clutch's own files are not written");

            long worker = ready.workerPids().get(0);
            ClusterProcess.signal(worker, "QUIT");
            await("the worker's thread dump in its file").atMost(Duration.ofSeconds(30))
                    .until(() -> cluster.log("worker-1.log").contains("Full thread dump"));
        }
    }

    private static String requestId(ClusterProcess.Ready ready) throws Exception {
        return Http.get(ready.url("/pid")).headers().firstValue("X-Request-Id").orElseThrow();
    }

    private static List<Path> rotated(Path logs, String name) throws IOException {
        try (Stream<Path> files = Files.list(logs)) {
            return files.filter(f -> f.getFileName().toString().startsWith(name + ".")).toList();
        }
    }

    private static String allOf(Path logs, String name) throws IOException {
        try (Stream<Path> files = Files.list(logs)) {
            return files.filter(f -> f.getFileName().toString().startsWith(name)).map(f -> {
                try {
                    return Files.readString(f);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }).collect(Collectors.joining());
        }
    }
}
