package dev.clutch.core.master;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the master's freed native memory back to the system at an interval, as {@code -XX:TrimNativeHeapInterval}
 * does for the children Clutch launches: the master's JVM is the one the user starts, so Clutch cannot pass it that
 * option. What the C library keeps after the JIT's and the connection hand-off's allocations are freed is about a
 * tenth of the master's resident memory here. Uses the JVM's {@code System.trim_native_heap} diagnostic command
 * (JDK 17.0.9, 21.0.1 and later); a JVM without it, or a master started with its own
 * {@code -XX:TrimNativeHeapInterval} (0 for none), is left to itself.
 */
final class NativeHeapTrim implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NativeHeapTrim.class);
    private static final String OPERATION = "systemTrimNativeHeap";

    private final ScheduledExecutorService timer;

    private NativeHeapTrim(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    /** Starts trimming every {@code interval}, or returns a no-op when this JVM cannot or trims by itself. */
    static NativeHeapTrim start(Duration interval) {
        MBeanServer server;
        ObjectName commands;
        try {
            // Set on the master's command line, to any value (0 turns trimming off): the user's choice.
            if (ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .getVMOption("TrimNativeHeapInterval").getOrigin() != VMOption.Origin.DEFAULT) {
                return new NativeHeapTrim(null);
            }
            server = ManagementFactory.getPlatformMBeanServer();
            commands = new ObjectName("com.sun.management:type=DiagnosticCommand");
            if (Arrays.stream(server.getMBeanInfo(commands).getOperations())
                    .noneMatch(o -> o.getName().equals(OPERATION))) {
                return new NativeHeapTrim(null);
            }
        } catch (JMException | RuntimeException | LinkageError e) {
            // No such option (before 17.0.9) or no jdk.management in this runtime image.
            log.debug("native heap not trimmed: {}", e.toString());
            return new NativeHeapTrim(null);
        }
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "clutch-native-trim");
            thread.setDaemon(true);
            return thread;
        });
        long millis = interval.toMillis();
        timer.scheduleWithFixedDelay(() -> trim(server, commands), millis, millis, TimeUnit.MILLISECONDS);
        return new NativeHeapTrim(timer);
    }

    private static void trim(MBeanServer server, ObjectName commands) {
        try {
            server.invoke(commands, OPERATION, new Object[] {null}, new String[] {String[].class.getName()});
        } catch (JMException | RuntimeException e) {
            log.debug("native heap trim failed: {}", e.toString());
        }
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
