package dev.clutch.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A short command of the host (ss, prlimit, python3) that a test runs for at most 10 s. */
record ShortCommand(int exitCode, String output) {

    /** Runs it; its output (stdout and stderr) goes through a file, so a large one cannot block it. */
    static ShortCommand run(List<String> command) throws IOException {
        Path output = Files.createTempFile("short-command", ".out");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                .start();
        try {
            boolean ended = process.waitFor(10, TimeUnit.SECONDS);
            if (!ended) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            return new ShortCommand(ended ? process.exitValue() : -1, Files.readString(output));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted running " + command, e);
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
