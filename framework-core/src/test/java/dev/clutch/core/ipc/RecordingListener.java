package dev.clutch.core.ipc;

import dev.clutch.core.message.Destination;
import dev.clutch.core.message.Envelope;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/** What an IPC connection hands the master, kept for a test to look at; forwarded runs go to {@code forwards}. */
final class RecordingListener implements IpcServer.Listener {

    final List<Envelope> received = new ArrayList<>();
    private final BiConsumer<Destination, FrameRun> forwards;

    RecordingListener(BiConsumer<Destination, FrameRun> forwards) {
        this.forwards = forwards;
    }

    @Override
    public void connected(ChildConnection connection) {
    }

    @Override
    public void received(ChildConnection connection, Envelope envelope) {
        received.add(envelope);
    }

    @Override
    public void forward(ChildConnection from, Destination to, FrameRun run) {
        try {
            forwards.accept(to, run);
        } finally {
            run.frames().release();
        }
    }

    @Override
    public void forwardsRead(ChildConnection from) {
    }

    @Override
    public void writabilityChanged(ChildConnection connection) {
    }

    @Override
    public void disconnected(ChildConnection connection) {
    }
}
