package dev.clutch.core.config;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Decides the environment name before any file is read, since it chooses {@code application-<env>.conf}. */
public final class EnvName {

    public static final String LOCAL = "local";
    public static final String PROD = "prod";
    /** The main classes Maven starts with: its own launchers, the wrapper's, the Maven daemon's. */
    private static final List<String> MAVEN_LAUNCHERS = List.of("org.codehaus.plexus.classworlds.",
            "org.codehaus.classworlds.", "org.apache.maven.wrapper.", "org.mvndaemon.mvnd.");

    private EnvName() {
    }

    /**
     * The first of: the {@code --env} flag, {@code -Dclutch.env}, {@code CLUTCH_ENV}; otherwise {@code local}
     * when running inside Maven ({@code mvn exec:java}) and {@code prod} when started as a program.
     */
    public static String resolve(String flag, String systemProperty, String environmentVariable) {
        for (String candidate : new String[] {flag, systemProperty, environmentVariable}) {
            if (candidate != null && !candidate.isBlank()) {
                return candidate.trim();
            }
        }
        return runningInsideMaven() ? LOCAL : PROD;
    }

    /**
     * A warning when {@code env} has no {@code application-<env>.conf} on the classpath and is none of the names
     * that run fine without one ({@code local}, {@code prod}, {@code test}): most likely a typo in {@code --env} or
     * {@code CLUTCH_ENV}, which would otherwise run on {@code application.conf} alone without a word.
     */
    public static Optional<String> withoutItsFile(String env, ClassLoader classLoader) {
        if (Set.of(LOCAL, PROD, "test").contains(env) || classLoader.getResource(fileOf(env)) != null) {
            return Optional.empty();
        }
        return Optional.of("env " + env + " has no " + fileOf(env) + " on the classpath: it runs on application.conf "
                + "alone (a typo in --env or CLUTCH_ENV?)");
    }

    /** The file of {@code env}'s own settings. */
    public static String fileOf(String env) {
        return "application-" + env + ".conf";
    }

    /**
     * Whether this JVM is Maven's ({@code mvn exec:java}, also through the Maven wrapper, the Maven daemon or an
     * IDE's Maven runner), whose own options are not the application's.
     */
    public static boolean runningInsideMaven() {
        return runningInsideMaven(System.getProperty("sun.java.command", ""),
                System.getProperty("classworlds.conf"));
    }

    static boolean runningInsideMaven(String command, String classworldsConf) {
        // The mvn script names its class-world configuration; the launchers below may not.
        return classworldsConf != null || MAVEN_LAUNCHERS.stream().anyMatch(command::startsWith);
    }
}
