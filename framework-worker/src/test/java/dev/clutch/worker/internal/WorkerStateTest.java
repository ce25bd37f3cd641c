package dev.clutch.worker.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clutch.core.message.PayloadCodec;
import dev.clutch.core.message.StateChange;
import dev.clutch.core.message.StateResync;
import dev.clutch.core.message.StateSnapshot;
import dev.clutch.worker.api.SharedStateView;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** A worker's view of the shared state, fed by hand in the master's order (and out of it). */
class WorkerStateTest {

    private final PayloadCodec codec = PayloadCodec.of(List.of(), 1 << 20);
    private final List<Object> sentToMaster = new CopyOnWriteArrayList<>();
    private final WorkerState state = new WorkerState(codec, sentToMaster::add);

    private StateChange change(long version, String key, String value) {
        return new StateChange(version, new String[] {key}, new byte[][] {value == null ? null : codec.write(value)});
    }

    @Test
    void snapshotThenChangesInOrder() {
        state.snapshot(new StateSnapshot(3, new String[] {"a", "c"}, new byte[][] {codec.write("1"),
                codec.write("3")}, new long[] {2, 3}));
        state.change(change(4, "b", "2"));
        state.change(change(5, "a", null));

        assertEquals(5, state.version());
        assertEquals(Optional.empty(), state.get("a"));
        assertEquals(Optional.of("2"), state.get("b"));
        assertEquals(0, state.versionOf("a"), "a removed key has no version");
        assertEquals(4, state.versionOf("b"), "the change that set it");
        assertEquals(3, state.versionOf("c"), "as the snapshot says");
        assertTrue(sentToMaster.isEmpty());
    }

    @Test
    void aValueThatDoesNotReadIsLeftOutAndTheStateGoesOn() {
        byte[] damaged = {(byte) 0xff, (byte) 0xff, (byte) 0xff};
        state.snapshot(new StateSnapshot(1, new String[] {"a", "b"}, new byte[][] {codec.write("1"),
                codec.write("2")}, new long[] {1, 1}));
        state.change(new StateChange(2, new String[] {"a", "b"}, new byte[][] {damaged, codec.write("two")}));
        assertEquals(2, state.version(), "the change counts");
        assertEquals(Optional.of("1"), state.get("a"), "the key keeps what it had");
        assertEquals(Optional.of("two"), state.get("b"));

        state.snapshot(new StateSnapshot(3, new String[] {"a", "b"}, new byte[][] {damaged, codec.write("2")},
                new long[] {2, 3}));
        state.change(change(4, "c", "3"));
        assertEquals(4, state.version(), "a snapshot with a value that does not read still applies");
        assertEquals(Optional.of("1"), state.get("a"));
        assertEquals(Optional.of("3"), state.get("c"));
        assertTrue(sentToMaster.isEmpty(), "no gap, no resync");
    }

    @Test
    void gapInVersionsAsksForTheSnapshotAndIgnoresChangesUntilItComes() {
        state.snapshot(new StateSnapshot(1, new String[0], new byte[0][], new long[0]));
        state.change(change(3, "a", "skipped"));
        state.change(change(4, "a", "also skipped"));

        assertEquals(1, sentToMaster.size());
        assertInstanceOf(StateResync.class, sentToMaster.get(0));
        assertEquals(Optional.empty(), state.get("a"));

        state.snapshot(new StateSnapshot(4, new String[] {"a"}, new byte[][] {codec.write("also skipped")},
                new long[] {4}));
        state.change(change(5, "a", "next"));
        assertEquals(Optional.of("next"), state.get("a"));
    }

    @Test
    void listenersHearChangesOfTheirPrefixInOrder() {
        List<String> heard = new CopyOnWriteArrayList<>();
        state.onChange("flags.", change -> heard.add(change.key() + "=" + change.newValue()));
        state.snapshot(new StateSnapshot(1, new String[] {"flags.a", "other"},
                new byte[][] {codec.write("1"), codec.write("x")}, new long[] {1, 1}));
        state.change(change(2, "flags.a", "2"));
        state.change(change(3, "flags.a", null));

        await().atMost(Duration.ofSeconds(5)).until(() -> heard.size() == 3);
        assertEquals(List.of("flags.a=1", "flags.a=2", "flags.a=null"), heard);
        SharedStateView view = state;
        assertEquals(3, view.version());
    }

    @Test
    void listenersFarBehindHaveTheirWaitingChangesMergedPerKey() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        List<SharedStateView.Change> heard = new CopyOnWriteArrayList<>();
        state.onChange(change -> {
            release.await();
            heard.add(change);
        });
        state.snapshot(new StateSnapshot(0, new String[0], new byte[0][], new long[0]));
        for (int version = 1; version <= 30_000; version++) {
            state.change(change(version, "k" + version % 3, "v" + version));
        }
        release.countDown();

        await().atMost(Duration.ofSeconds(10)).until(() -> heard.stream().anyMatch(c -> c.version() == 30_000));
        assertTrue(heard.size() < 20_000, "merged, not 30,000 changes held: " + heard.size());
        for (String key : List.of("k0", "k1", "k2")) {
            SharedStateView.Change last = heard.stream().filter(c -> c.key().equals(key))
                    .reduce((first, second) -> second).orElseThrow();
            assertEquals(state.get(key).orElseThrow(), last.newValue(), key + ": the newest value is told last");
        }
    }

    @Test
    void aListenerRegisteredWhileAnotherIsBehindHearsOnlyTheChangesAfterItsRegistration() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        state.onChange(change -> release.await());
        state.snapshot(new StateSnapshot(0, new String[0], new byte[0][], new long[0]));
        state.change(change(1, "a", "1"));
        state.change(change(2, "a", "2"));

        // The first listener still holds changes 1 and 2 back: the new one has them from the snapshot.
        List<String> heard = new CopyOnWriteArrayList<>();
        state.onChange(change -> heard.add(change.key() + "=" + change.newValue()));
        assertEquals(java.util.Map.of("a", "2"), state.snapshot());
        state.change(change(3, "a", "3"));
        release.countDown();

        await().atMost(Duration.ofSeconds(5)).until(() -> !heard.isEmpty());
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5)).until(() -> heard.size() == 1);
        assertEquals(List.of("a=3"), heard);
    }

    @Test
    void aNullPrefixIsRefusedWhenTheListenerIsRegistered() {
        assertThrows(NullPointerException.class, () -> state.onChange(null, change -> { }));
        state.snapshot(new StateSnapshot(1, new String[0], new byte[0][], new long[0]));
        state.change(change(2, "a", "1"));
        assertEquals(Optional.of("1"), state.get("a"), "changes are still applied");
    }

    @Test
    void aListenerThatFailsWithAnErrorSilencesNeitherTheOthersNorLaterChanges() {
        List<String> heard = new CopyOnWriteArrayList<>();
        state.onChange(change -> {
            throw new AssertionError("a listener's assert");
        });
        state.onChange(change -> heard.add(change.key() + "=" + change.newValue()));
        state.snapshot(new StateSnapshot(0, new String[0], new byte[0][], new long[0]));
        state.change(change(1, "a", "1"));
        await("the first change told").atMost(Duration.ofSeconds(5)).until(() -> heard.size() == 1);
        state.change(change(2, "a", "2"));

        await("the later change told too").atMost(Duration.ofSeconds(5)).until(() -> heard.size() == 2);
        assertEquals(List.of("a=1", "a=2"), heard);
    }

    @Test
    void aSnapshotNeverHoldsHalfOfAChangeOfSeveralKeys() throws Exception {
        state.snapshot(new StateSnapshot(0, new String[0], new byte[0][], new long[0]));
        int changes = 200_000;
        Thread ipc = new Thread(() -> {
            for (int version = 1; version <= changes; version++) {
                byte[] value = codec.write(version);
                state.change(new StateChange(version, new String[] {"a", "b"}, new byte[][] {value, value}));
            }
        }, "test-ipc");
        ipc.setDaemon(true);
        ipc.start();
        try {
            while (ipc.isAlive() && state.version() < changes) {
                java.util.Map<String, Object> snapshot = state.snapshot();
                assertEquals(snapshot.get("a"), snapshot.get("b"), "a and b change together, in one version");
            }
        } finally {
            ipc.join(Duration.ofSeconds(30).toMillis());
        }
    }
}
