package dev.clutch.core.master;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the master's freed native memory back to the system every second, as the children's default
 * {@code -XX:TrimNativeHeapInterval=1000} does for them: the master's JVM is the one the user starts, so Clutch
 * cannot pass it that option. What the C library keeps after the JIT's and the connection hand-off's allocations
 * are freed is about a tenth of the master's resident memory here. Uses the JVM's {@code System.trim_native_heap}
 * diagnostic command (JDK 17.0.9, 21.0.1 and later); a JVM without it, or a master started with its own
 * {@code -XX:TrimNativeHeapInterval} (0 for none), is left to itself. The trimming thread is a daemon: it ends with
 * the master's JVM.
 */
final class NativeHeapTrim {

    private static final Logger log = LoggerFactory.getLogger(NativeHeapTrim.class);
    private static final String OPERATION = "systemTrimNativeHeap";
    private static final long INTERVAL_MILLIS = 1000;
    private static final AtomicBoolean STARTED = new AtomicBoolean();

    private NativeHeapTrim() {
    }

    /**
     * Starts trimming, the first call only. Not on the boot path: reaching the JVM's management beans costs
     * 120-220 ms of CPU here, which the children's start needs more.
     */
    static void startOnce() {
        if (!STARTED.compareAndSet(false, true)) {
            return;
        }
        MBeanServer server;
        ObjectName commands;
        try {
            // Set on the master's command line, to any value (0 turns trimming off): the user's choice.
            if (ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .getVMOption("TrimNativeHeapInterval").getOrigin() != VMOption.Origin.DEFAULT) {
                return;
            }
            server = ManagementFactory.getPlatformMBeanServer();
            commands = new ObjectName("com.sun.management:type=DiagnosticCommand");
            if (Arrays.stream(server.getMBeanInfo(commands).getOperations())
                    .noneMatch(o -> o.getName().equals(OPERATION))) {
                return;
            }
        } catch (JMException | RuntimeException | LinkageError e) {
            // No such option (before 17.0.9) or no jdk.management in this runtime image.
            log.debug("native heap not trimmed: {}", e.toString());
            return;
        }
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "clutch-native-trim");
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleWithFixedDelay(() -> trim(server, commands), 0, INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
    }

    private static void trim(MBeanServer server, ObjectName commands) {
        try {
            server.invoke(commands, OPERATION, new Object[] {null}, new String[] {String[].class.getName()});
        } catch (JMException | RuntimeException e) {
            log.debug("native heap trim failed: {}", e.toString());
        }
    }
}
