package dev.clutch.core.api.testing;

import java.util.Optional;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The JUnit 5 extension behind {@link ClutchTest}: boots the application before the class's first test, hands it
 * to tests as a {@link TestCluster} parameter, and stops it (whatever happened) when the class is done.
 */
public final class ClutchExtension implements BeforeAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(
            ClutchExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        // On the class or one it extends; an enclosing class's is not the class's own.
        Optional<ClutchTest> own = AnnotationSupport.findAnnotation(context.getRequiredTestClass(), ClutchTest.class);
        ExtensionContext.Store store = context.getStore(NAMESPACE);
        if (own.isEmpty()) {
            if (store.get(TestCluster.class) != null) {
                // A @Nested class: the enclosing class's application serves it too (stores look up their parents).
                return;
            }
            throw new IllegalStateException("ClutchExtension needs @ClutchTest on "
                    + context.getRequiredTestClass().getName());
        }
        // A @Nested class with its own @ClutchTest gets its own application, which shadows the enclosing one's.
        // Stored as a closeable resource: JUnit closes it after the class, also when a test or the start failed.
        store.put(TestCluster.class, BootedCluster.boot(own.get()));
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TestCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        BootedCluster cluster = context.getStore(NAMESPACE).get(TestCluster.class, BootedCluster.class);
        if (cluster == null) {
            throw new ParameterResolutionException("no application was booted for this test: is @ClutchTest on "
                    + "the test class?");
        }
        return cluster;
    }
}
