package dev.clutch.core.master;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clutch.core.message.StateChange;
import dev.clutch.core.message.StateSnapshot;
import org.junit.jupiter.api.Test;

/** The versions the master serves the workers across a reload's new agent. */
class StateRelayTest {

    private static StateChange put(long version, String key) {
        return new StateChange(version, new String[] {key}, new byte[][] {{1}});
    }

    private final StateRelay relay = new StateRelay();

    StateRelayTest() {
        relay.reset(1);
        relay.apply(put(1, "a"));
        relay.apply(put(2, "b"));
        assertTrue(relay.newAgentReady(1));
    }

    @Test
    void aNewAgentThatPublishesNothingBeforeItIsReadyServesANewerVersionThanTheOldState() {
        long before = relay.snapshot().version();
        relay.newAgentStarting();
        assertTrue(relay.newAgentReady(1));

        StateSnapshot replaced = relay.snapshot();
        assertTrue(replaced.version() > before,
                "the workers take a snapshot at the old version without telling their listeners what it removed");
        assertArrayEquals(new String[0], replaced.keys());
    }

    @Test
    void aNewAgentsChangesAreKeptAsideUntilItIsReadyThenNumberedOnFromItsState() {
        relay.newAgentStarting();
        assertNull(relay.apply(put(1, "c")), "kept aside while the new agent starts");
        assertTrue(relay.newAgentReady(1));
        long served = relay.snapshot().version();
        assertArrayEquals(new String[] {"c"}, relay.snapshot().keys());

        StateChange next = relay.apply(put(2, "d"));
        assertEquals(served + 1, next.version());
    }
}
