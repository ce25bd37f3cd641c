package dev.clutch.core.master;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Launches children with {@link ProcessBuilder}. Their stderr (where children log) is copied to the master's
 * stderr by a {@link StderrTail}, which keeps the last lines for crash reports; their stdout (anything printed
 * outside logging, a JVM thread dump) to the master's stdout and to the child's log file. The JDK's process reaper
 * waits for every child, so none is left a zombie.
 */
public final class JvmProcessLauncher implements ProcessLauncher {

    @Override
    public ChildProcess launch(String label, List<String> command, Map<String, String> environment, Path logFile)
            throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .redirectOutput(ProcessBuilder.Redirect.PIPE)
                .redirectError(ProcessBuilder.Redirect.PIPE);
        builder.environment().putAll(environment);
        Process process = builder.start();
        try {
            process.getOutputStream().close();
            StderrTail.start(label + "-stdout", process.getInputStream(), System.out, logFile);
            StderrTail tail = StderrTail.start(label + "-stderr", process.getErrorStream(), System.err, null);
            return new Launched(process, tail);
        } catch (IOException | RuntimeException | Error e) {
            // Not yet in the master's table: no one else would ever stop it.
            process.destroyForcibly();
            throw e;
        }
    }

    private record Launched(Process process, StderrTail tail) implements ChildProcess {

        @Override
        public long pid() {
            return process.pid();
        }

        @Override
        public CompletableFuture<Integer> onExit() {
            return process.onExit().thenApply(p -> {
                tail.awaitEnd();
                return p.exitValue();
            });
        }

        @Override
        public boolean isAlive() {
            return process.isAlive();
        }

        @Override
        public void terminate() {
            process.destroy();
        }

        @Override
        public void kill() {
            process.destroyForcibly();
        }

        @Override
        public void requestThreadDump() {
            Signals.send(process.pid(), "QUIT");
        }

        @Override
        public List<String> lastStderrLines() {
            return tail.lastLines();
        }
    }
}
