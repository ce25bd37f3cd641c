package dev.clutch.core.master;

import java.io.File;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The classpath children are launched with: the one the application class was loaded from. Under
 * {@code mvn exec:java} that is an isolated class loader and {@code java.class.path} is Maven's own, so it is read
 * from the class loader chain, not from the system property.
 */
public final class ChildClasspath {

    private ChildClasspath() {
    }

    public static String of(Class<?> applicationClass) {
        ClassLoader system = ClassLoader.getSystemClassLoader();
        ClassLoader loader = applicationClass.getClassLoader();
        if (loader == null || loader == system) {
            return System.getProperty("java.class.path");
        }
        Deque<ClassLoader> chain = new ArrayDeque<>();
        for (ClassLoader l = loader; l != null && l != system && l != system.getParent(); l = l.getParent()) {
            chain.push(l);
        }
        Set<String> entries = new LinkedHashSet<>();
        for (ClassLoader l : chain) {
            if (l instanceof URLClassLoader urls) {
                for (URL url : urls.getURLs()) {
                    entries.add(toPath(url));
                }
            }
        }
        if (entries.isEmpty()) {
            return System.getProperty("java.class.path");
        }
        return String.join(File.pathSeparator, entries);
    }

    private static String toPath(URL url) {
        try {
            return Path.of(url.toURI()).toString();
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot launch children with classpath entry " + url
                    + ": only file entries are supported", e);
        }
    }
}
