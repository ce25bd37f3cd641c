package dev.clutch.agent.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clutch.core.message.PayloadCodec;
import dev.clutch.core.message.StateChange;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The agent's side of the shared state: what a change may hold, checked before anything is sent. */
class AgentStateTest {

    private final List<Object> sent = new CopyOnWriteArrayList<>();
    private final AgentState state = new AgentState(PayloadCodec.of(List.of(), 1 << 20), sent::add, 1 << 20);

    @Test
    void aNullValueIsRefusedSayingToRemoveTheKey() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> state.put("a", null));
        assertTrue(refused.getMessage().contains("value of a is null: use remove"), refused.getMessage());
        Map<String, Object> puts = new HashMap<>();
        puts.put("b", null);
        assertThrows(IllegalArgumentException.class, () -> state.putAll(puts));
        assertEquals(List.of(), sent, "nothing sent");
    }

    @Test
    void aNullKeyIsRefused() {
        Map<String, Object> puts = new HashMap<>();
        puts.put(null, "x");
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> state.putAll(puts));
        assertTrue(refused.getMessage().contains("key is null"), refused.getMessage());
        assertThrows(IllegalArgumentException.class, () -> state.remove(null));
        assertEquals(List.of(), sent, "nothing sent");
    }

    @Test
    void aChangeGoesOutWithTheNextVersion() {
        state.put("a", "1");
        state.update(Map.of("b", "2"), Set.of("a"));
        assertEquals(2, sent.size());
        assertEquals(1, ((StateChange) sent.get(0)).version());
        assertEquals(2, ((StateChange) sent.get(1)).version());
    }
}
