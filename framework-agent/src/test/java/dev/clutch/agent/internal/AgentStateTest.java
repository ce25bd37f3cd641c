package dev.clutch.agent.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clutch.core.message.PayloadCodec;
import dev.clutch.core.message.StateChange;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The agent's side of the shared state: what a change may hold, checked before anything is sent. */
class AgentStateTest {

    private final List<Object> sent = new CopyOnWriteArrayList<>();
    private final AtomicBoolean masterKeepsUp = new AtomicBoolean(true);
    private final AgentState state = new AgentState(PayloadCodec.of(List.of(), 1 << 20), sent::add,
            masterKeepsUp::get, 1 << 20);

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

    @Test
    void whileTheMasterDoesNotKeepUpChangesAreMergedAndGoOutAsOneOnceItDoes() {
        PayloadCodec codec = PayloadCodec.of(List.of(), 1 << 20);
        state.put("before", "0");
        masterKeepsUp.set(false);
        for (int i = 1; i <= 10_000; i++) {
            state.put("counter", Integer.toString(i));
        }
        state.put("gone", "x");
        state.remove("gone");
        state.update(Map.of("other", "y"), Set.of("before"));
        assertEquals(1, sent.size(), "nothing more while the master does not keep up");

        masterKeepsUp.set(true);
        await("the merged change goes out").atMost(Duration.ofSeconds(10)).until(() -> sent.size() == 2);
        StateChange merged = (StateChange) sent.get(1);
        assertEquals(2, merged.version());
        Map<String, Object> values = new HashMap<>();
        for (int i = 0; i < merged.keys().length; i++) {
            values.put(merged.keys()[i], merged.values()[i] == null ? null : codec.read(merged.values()[i]));
        }
        Map<String, Object> expected = new HashMap<>();
        expected.put("counter", "10000");
        expected.put("gone", null);
        expected.put("other", "y");
        expected.put("before", null);
        assertEquals(expected, values);

        state.put("after", "z");
        assertEquals(3, ((StateChange) sent.get(2)).version(), "then each change goes out on its own again");
    }
}
