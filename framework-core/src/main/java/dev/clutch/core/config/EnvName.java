package dev.clutch.core.config;

/** Decides the environment name before any file is read, since it chooses {@code application-<env>.conf}. */
public final class EnvName {

    public static final String LOCAL = "local";
    public static final String PROD = "prod";

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

    static boolean runningInsideMaven() {
        String command = System.getProperty("sun.java.command", "");
        return command.startsWith("org.codehaus.plexus.classworlds.launcher.Launcher");
    }
}
