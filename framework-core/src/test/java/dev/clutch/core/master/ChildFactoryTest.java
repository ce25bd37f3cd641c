package dev.clutch.core.master;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

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
}
