package dev.clutch.core.api.testing;

import dev.clutch.core.api.Messenger;
import dev.clutch.core.single.SingleProcess;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** {@link ClutchTest.Mode#SINGLE}: the application in the test's JVM, logging through the test's logback. */
final class InProcessCluster extends BootedCluster {

    private final SingleProcess process;

    private InProcessCluster(Path baseDir, SingleProcess process) {
        super(baseDir);
        this.process = process;
    }

    static InProcessCluster start(AppUnderTest app, Path baseDir) {
        try {
            return new InProcessCluster(baseDir, SingleProcess.start(app.type(), app.config(), app.plugins(),
                    System.nanoTime()));
        } catch (Exception e) {
            throw new IllegalStateException("the application under test failed to start: " + e, e);
        }
    }

    @Override
    public ClutchTest.Mode mode() {
        return ClutchTest.Mode.SINGLE;
    }

    @Override
    public int port() {
        return process.port();
    }

    @Override
    public long agentPid() {
        return ProcessHandle.current().pid();
    }

    @Override
    public List<Long> workerPids() {
        return List.of(ProcessHandle.current().pid());
    }

    @Override
    public Messenger messenger() {
        return process.messenger();
    }

    @Override
    public Map<String, Object> sharedState() {
        return process.sharedState();
    }

    @Override
    void stop() {
        process.close();
    }
}
