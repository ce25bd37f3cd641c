package dev.clutch.core.master;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.clutch.core.api.Role;
import dev.clutch.core.config.SchedulingPolicy;
import dev.clutch.core.ipc.TokenBook;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildFactoryTest {

    private static final List<String> DEFAULTS = List.of("-XX:+UseSerialGC", "-XX:TrimNativeHeapInterval=1000");

    @Test
    void theTrimOptionStaysOnJdksThatHaveIt() {
        for (String jdk : List.of("17.0.9", "17.0.15", "21.0.1", "25")) {
            assertEquals(DEFAULTS, ChildFactory.supportedOn(Runtime.Version.parse(jdk), DEFAULTS), jdk);
        }
    }

    @Test
    void theTrimOptionIsDroppedWhereItWouldStopTheChild() {
        for (String jdk : List.of("17.0.8", "19", "21")) {
            assertEquals(List.of("-XX:+UseSerialGC"), ChildFactory.supportedOn(Runtime.Version.parse(jdk),
                    DEFAULTS), jdk);
        }
    }

    @Test
    void unsafeMemoryAccessIsAllowedOnlyOnTheJdksKnownToHaveTheOption() {
        String allow = "--sun-misc-unsafe-memory-access=allow";
        for (String jdk : List.of("17.0.15", "21.0.5", "23", "26")) {
            assertEquals(List.of("--enable-native-access=ALL-UNNAMED"),
                    ChildFactory.platformOptions(Runtime.Version.parse(jdk)), jdk);
        }
        for (String jdk : List.of("24", "25.0.1")) {
            assertEquals(List.of("--enable-native-access=ALL-UNNAMED", allow),
                    ChildFactory.platformOptions(Runtime.Version.parse(jdk)), jdk);
        }
    }

    @Test
    void aChildThatExitsWithoutConnectingLeavesNoValidToken(@TempDir Path dir) throws Exception {
        TokenBook tokens = new TokenBook();
        ChildFactory factory = new ChildFactory(new JvmProcessLauncher(), tokens, dir.resolve("ipc.sock"),
                ExitsAtOnce.class, "test", "test", "{}", SchedulingPolicy.RR, dir, Map.of(), ClassDataSharing.off());

        ChildProcess child = factory.launch(Role.WORKER, 1);
        assertEquals(1, tokens.outstanding());
        try {
            assertEquals(0, child.onExit().get(30, TimeUnit.SECONDS));
        } finally {
            child.kill();
        }
        factory.exited(child.pid(), 0, true);

        assertEquals(0, tokens.outstanding());
    }

    /** A child that never connects to the master: it exits at once. */
    static final class ExitsAtOnce {
        public static void main(String[] args) {
        }
    }
}
