package dev.clutch.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clutch.core.testing.ClusterProcess;
import dev.clutch.core.testing.Http;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A payload type keeps its name and ID in a new build but gets another field: Kryo writes no field names, so the
 * two builds would read each other's bytes wrongly. They are told apart like builds with other types.
 */
class PayloadShapeTest {

    private static final String NOTE = "dev.clutch.shapetest.Note";
    private static final Duration BOOT = Duration.ofSeconds(60);

    @TempDir
    Path baseDir;

    @Test
    void aReloadOfABuildWhosePayloadTypeHasAnotherFieldIsRefusedNamingTheFields() throws Exception {
        Path classes = Files.createDirectories(baseDir.resolve("classes"));
        compileNote(classes, "String text");
        try (ClusterProcess cluster = ClusterScenarios.testApp(baseDir, 1)
                .classpath(classes + File.pathSeparator + System.getProperty("java.class.path"))
                .env("TEST_PAYLOAD_CLASS", NOTE)
                .start()) {
            ClusterProcess.Ready ready = cluster.awaitReady(BOOT);

            // The new build on disk: the same record, one component more.
            compileNote(classes, "String text, int priority");
            try (ClusterProcess reload = ClusterScenarios.testApp(baseDir, 1).args("reload").start()) {
                assertEquals(1, reload.awaitExit(BOOT), reload.output());
            }

            cluster.awaitLine("only it has 1998=" + NOTE + "(java.lang.String text,int priority)",
                    Duration.ofSeconds(5));
            assertTrue(cluster.output().contains("only the master has 1998=" + NOTE + "(java.lang.String text)"),
                    cluster.output());
            assertEquals(200, Http.get(ready.url("/_clutch/health")).statusCode(), "the old worker serves on");
        }
    }

    private void compileNote(Path classes, String components) throws IOException {
        TestClasses.compile(classes, baseDir.resolve("src"), NOTE, "package dev.clutch.shapetest;\n"
                + "public record Note(" + components + ") {\n}\n");
    }
}
