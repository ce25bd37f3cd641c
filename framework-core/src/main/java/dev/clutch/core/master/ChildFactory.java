package dev.clutch.core.master;

import dev.clutch.core.api.Role;
import dev.clutch.core.child.ChildEnvironment;
import dev.clutch.core.config.ClutchSettings;
import dev.clutch.core.config.ConfigLoader;
import dev.clutch.core.config.SchedulingPolicy;
import dev.clutch.core.ipc.TokenBook;
import dev.clutch.core.logging.LogLayout;
import dev.clutch.core.message.Hello;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Launches a child of a given role: the same {@code java}, the same classpath and the same main class as the
 * master, with the role's JVM options, a fresh one-time token and the IPC coordinates in its environment.
 */
public final class ChildFactory {

    private final ProcessLauncher launcher;
    private final TokenBook tokens;
    private final Path ipcSocket;
    private final String mainClass;
    private final String classpath;
    private final String appName;
    private final String env;
    private final String configOverrides;
    /** Replaced by a reload that takes new ones from the application's files. */
    private final Map<Role, List<String>> jvmArgs;
    private final SchedulingPolicy policy;
    private final Path logDir;
    private final ClassDataSharing classData;
    /** The token of each child launched here, until it exits: one that never connected must not stay valid. */
    private final Map<Long, String> tokenByPid = new HashMap<>();

    /**
     * @param applicationClass the application's entry point, started in every child
     * @param configOverrides HOCON that children put above their configuration files: the master's command-line
     *     overrides and its own settings ({@link dev.clutch.core.config.ReloadedSettings#masterLayer})
     */
    public ChildFactory(ProcessLauncher launcher, TokenBook tokens, Path ipcSocket, Class<?> applicationClass,
                        String appName, String env, String configOverrides, SchedulingPolicy policy, Path logDir,
                        Map<Role, List<String>> jvmArgs, ClassDataSharing classData) {
        this.launcher = launcher;
        this.tokens = tokens;
        this.ipcSocket = ipcSocket;
        this.mainClass = applicationClass.getName();
        this.classpath = ChildClasspath.of(applicationClass);
        this.appName = appName;
        this.env = env;
        this.configOverrides = configOverrides;
        this.jvmArgs = new EnumMap<>(Role.class);
        this.jvmArgs.putAll(jvmArgs);
        this.policy = policy;
        this.logDir = logDir;
        this.classData = classData;
    }

    /** The classpath every child starts with, as {@code -cp} gives it. */
    String classpath() {
        return classpath;
    }

    /** The JVM options of the children of {@code role} launched from now on. */
    void jvmArgs(Role role, List<String> options) {
        jvmArgs.put(role, List.copyOf(options));
    }

    /** The build a child launched now would run, or {@code null} when a classpath entry cannot be read. */
    String build() {
        try {
            return BuildFingerprint.of(BuildFingerprint.entries(classpath));
        } catch (IOException e) {
            return null;
        }
    }

    ChildProcess launch(Role role, int workerId) throws IOException {
        Set<Hello.ChannelKind> channels = role == Role.WORKER && policy.passesDescriptors()
                ? EnumSet.allOf(Hello.ChannelKind.class)
                : EnumSet.of(Hello.ChannelKind.MESSAGES);
        String token = tokens.issue(role, workerId, channels);
        ChildEnvironment environment = new ChildEnvironment(role, workerId, ipcSocket, token, env, configOverrides);
        String label = role == Role.WORKER ? "worker-" + workerId : role.label();
        try {
            ChildProcess process = launcher.launch(label, command(role), environment.toVariables(),
                    logDir.resolve(label + ".log"));
            classData.launched(process.pid());
            tokenByPid.put(process.pid(), token);
            return process;
        } catch (IOException | RuntimeException e) {
            classData.launched(0);
            tokens.revoke(token);
            throw e;
        }
    }

    /** A child launched here has exited with {@code status}, after it had been ready or not. */
    void exited(long pid, int status, boolean wasReady) {
        classData.exited(pid, status, wasReady);
        String token = tokenByPid.remove(pid);
        if (token != null) {
            tokens.revoke(token);
        }
    }

    List<String> command(Role role) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // Shown by ps, so operators can tell roles and applications apart.
        command.add("-Dclutch.role=" + role.label());
        command.add("-Dclutch.app=" + appName);
        command.addAll(platformOptions(Runtime.version()));
        // A JVM crash report lands where the master looks for it when it reports the death.
        command.add(LogLayout.crashReportOption(logDir));
        forwardedProperties().forEach((name, value) -> command.add("-D" + name + "=" + value));
        command.addAll(classData.options(role));
        command.addAll(supportedOn(Runtime.version(), jvmArgs.getOrDefault(role, List.of())));
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        return command;
    }

    /**
     * What every Clutch JVM needs from the JDK it runs on, whatever the application's JVM options: each child, and
     * the masters the test kit starts.
     */
    public static List<String> platformOptions(Runtime.Version jdk) {
        // Netty loads its epoll library through JNI; JDK 24+ warns unless native access is granted.
        List<String> options = new ArrayList<>(List.of("--enable-native-access=ALL-UNNAMED"));
        if (jdk.feature() >= 24 && jdk.feature() <= 25) {
            // Netty 4.2 stops using sun.misc.Unsafe on JDK 25 unless allowed (JDK 24 warns about it otherwise); its
            // replacement, direct memory through a foreign-function downcall, costs every process 0.15-0.2 s of
            // start-up. Known to exist up to JDK 25: a JDK that no longer has the option would not start the child.
            options.add("--sun-misc-unsafe-memory-access=allow");
        }
        return options;
    }

    /**
     * The options without {@code -XX:TrimNativeHeapInterval} on a JDK that lacks it (before 17.0.9 and 21.0.1),
     * where it would stop the child from starting: it is among the defaults, which must run on every JDK 17.
     */
    static List<String> supportedOn(Runtime.Version jdk, List<String> options) {
        boolean trims = jdk.feature() >= 22 || (jdk.feature() == 21 && jdk.update() >= 1)
                || (jdk.feature() == 17 && jdk.update() >= 9);
        return trims ? options : options.stream().filter(o -> !o.startsWith("-XX:TrimNativeHeapInterval=")).toList();
    }

    /**
     * The master's system properties that children need to load the same configuration: every {@code -D} on the
     * master's own command line (the application's keys too), and the Clutch and Typesafe Config ones however they
     * were set (Maven sets them programmatically under {@code mvn exec:java}).
     */
    private static Map<String, String> forwardedProperties() {
        Map<String, String> forwarded = new TreeMap<>();
        for (String argument : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (argument.startsWith("-D")) {
                String name = argument.substring(2).split("=", 2)[0];
                if (System.getProperty(name) != null) {
                    forwarded.put(name, System.getProperty(name));
                }
            }
        }
        forwarded.putAll(ConfigLoader.configurationProperties(System.getProperties()));
        forwarded.remove("clutch.role");
        forwarded.remove("clutch.app");
        // The master's own: JMX's remote port would be bound by every child too, and fail their start (give children
        // JMX through clutch.*.jvmArgs); the webhook is the master's, and a child's command line is visible to ps.
        forwarded.keySet().removeIf(name -> name.startsWith("com.sun.management."));
        forwarded.remove(ClutchSettings.ALARM_WEBHOOK_URL.key());
        return forwarded;
    }
}
