package dev.clutch.core.control;

/** How large the frames of the control socket may be, at both ends. */
final class ControlFrames {

    private ControlFrames() {
    }

    /**
     * The largest frame either end of the control socket takes: a message's payload (up to
     * {@code clutch.ipc.maxFrameBytes}) travels base64-encoded, and the shared state comes back both described and
     * encoded.
     */
    static int limit(int maxFrameBytes) {
        return (int) Math.min(Integer.MAX_VALUE - 8, 3L * maxFrameBytes + 64 * 1024);
    }
}
