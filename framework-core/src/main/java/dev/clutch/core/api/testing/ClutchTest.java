package dev.clutch.core.api.testing;

import dev.clutch.core.api.ClutchApplication;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Boots the application under test once for the test class, on a free loopback port, and stops it after the last
 * test, also when a test fails. Test methods (and {@code @BeforeAll}/{@code @BeforeEach} methods) take a
 * {@link TestCluster} parameter: its base URL, the messenger and the shared state.
 *
 * <pre>{@code
 * @ClutchTest(FlagsApp.class)
 * class FlagsTest {
 *     @Test
 *     void servesTheFlags(TestCluster app) throws Exception {
 *         HttpResponse<String> response = HttpClient.newHttpClient().send(
 *                 HttpRequest.newBuilder(app.uri("/flags")).build(), HttpResponse.BodyHandlers.ofString());
 *         assertEquals(200, response.statusCode());
 *     }
 * }
 * }</pre>
 *
 * <p>The application starts in env {@code test} (so {@code application-test.conf} applies), with a fresh
 * temporary base directory (its {@code logs/} and {@code run/}, and where relative paths such as
 * {@code clutch.state.file} resolve).
 *
 * <p>Subclasses of an annotated class get the application as it does. A {@code @Nested} class shares the
 * enclosing class's application, unless it has a {@code @ClutchTest} of its own: then it gets its own application,
 * started before its first test and stopped after its last.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(ClutchExtension.class)
public @interface ClutchTest {

    /** The application class: the one whose {@code main} calls {@code Clutch.run}. */
    Class<? extends ClutchApplication> value();

    /** How to run it: in this JVM ({@link Mode#SINGLE}, the default: fast, debuggable) or as a real cluster. */
    Mode mode() default Mode.SINGLE;

    /** Workers of a {@link Mode#MULTI} cluster. */
    int workers() default 2;

    /** The env name; {@code application-<env>.conf} applies. */
    String env() default "test";

    /** Configuration on top of everything else, one HOCON {@code key = value} each. */
    String[] config() default {};

    /**
     * Classpath resources copied into the base directory before the start (state files, for instance), each by its
     * file name ({@code fixtures/flags.conf} becomes {@code flags.conf}).
     */
    String[] files() default {};

    /** How the application under test runs. */
    enum Mode {
        /** Agent and one worker in the test's own JVM, through the in-memory messenger. */
        SINGLE,
        /** A master, an agent and workers, each its own JVM, as {@code start} runs them. */
        MULTI
    }
}
