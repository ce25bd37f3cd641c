package dev.clutch.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.clutch.core.api.testing.ClutchTest;
import dev.clutch.core.api.testing.TestCluster;
import dev.clutch.core.testing.Http;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * {@code @ClutchTest} on a base class reaches its subclasses; a {@code @Nested} class shares the enclosing class's
 * application unless it declares its own.
 */
class TestKitInheritanceTest extends AnnotatedTestBase {

    private static Path enclosingBaseDir;

    @BeforeAll
    static void rememberTheApplication(TestCluster app) {
        enclosingBaseDir = app.baseDir();
    }

    @Test
    void aSubclassOfAnAnnotatedClassIsServed(TestCluster app) throws Exception {
        assertEquals(Long.toString(ProcessHandle.current().pid()), Http.get(app.baseUrl() + "/pid").body());
    }

    @Nested
    class WithoutItsOwnAnnotation {
        @Test
        void sharesTheEnclosingApplication(TestCluster app) {
            assertEquals(enclosingBaseDir, app.baseDir());
        }
    }

    @Nested
    @ClutchTest(value = TestApp.class, config = "clutch.state.file = \"\"")
    class WithItsOwnAnnotation {
        @Test
        void getsAnApplicationOfItsOwn(TestCluster app) throws Exception {
            assertNotEquals(enclosingBaseDir, app.baseDir());
            assertEquals(Long.toString(ProcessHandle.current().pid()), Http.get(app.baseUrl() + "/pid").body());
        }
    }
}

/** What a project's own base class for its tests would be. */
@ClutchTest(value = TestApp.class, config = "clutch.state.file = \"\"")
abstract class AnnotatedTestBase {
}
