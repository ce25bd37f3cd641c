package dev.clutch.cluster;

import dev.clutch.core.testing.ClusterProcess;
import java.io.IOException;
import java.nio.file.Path;

/** Starting a {@link TestApp} master the way every scenario here does. */
final class ClusterScenarios {

    private ClusterScenarios() {
    }

    static ClusterProcess.Builder testApp(Path baseDir, int workers) {
        return ClusterProcess.builder(baseDir)
                .mainClass(TestApp.class)
                .property("clutch.workers", Integer.toString(workers))
                .property("clutch.http.host", "127.0.0.1")
                .property("clutch.http.port", "0");
    }

    static ClusterProcess start(Path baseDir, int workers) throws IOException {
        return testApp(baseDir, workers).start();
    }
}
