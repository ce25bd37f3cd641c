package dev.clutch.core.lifecycle;

/**
 * System properties Clutch sets in every one of its processes, before the libraries that read them load, unless
 * the application set them first ({@code -D} on the master's command line reaches every child).
 */
public final class StartupProperties {

    private StartupProperties() {
    }

    /** Idempotent; call before any Netty or Guice class initialises. */
    public static void applyDefaults() {
        // Netty 4.2 registers its buffer allocator's JFR events at the first allocation, which makes the JDK load its
        // whole flight-recorder metadata: about a third of an idle worker's start-up CPU here, for events that only
        // a recording reads. -Dio.netty.jfr.enabled=true brings them back.
        setIfAbsent("io.netty.jfr.enabled", "false");
        // JDK 24 and later warn at every start when Guice defines classes through sun.misc.Unsafe, which it does
        // only for method interception and faster reflection; Clutch needs neither. An application that intercepts
        // methods sets guice_bytecode_gen_option=ENABLED (and lives with the warning).
        if (Runtime.version().feature() >= 24) {
            setIfAbsent("guice_bytecode_gen_option", "DISABLED");
        }
    }

    private static void setIfAbsent(String name, String value) {
        if (System.getProperty(name) == null) {
            System.setProperty(name, value);
        }
    }
}
