package dev.clutch.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.tools.ToolProvider;

/** Builds a class of a test's own into a class directory on a cluster's classpath, as the application's build would. */
final class TestClasses {

    private TestClasses() {
    }

    /** Writes {@code source} for {@code className} under {@code sources} and compiles it into {@code classes}. */
    static void compile(Path classes, Path sources, String className, String source) throws IOException {
        Path file = sources.resolve(className.replace('.', '/') + ".java");
        Files.createDirectories(file.getParent());
        Files.writeString(file, source);
        int result = ToolProvider.getSystemJavaCompiler().run(null, null, null, "--release", "17", "-d",
                classes.toString(), file.toString());
        assertEquals(0, result, className + " compiles");
    }
}
