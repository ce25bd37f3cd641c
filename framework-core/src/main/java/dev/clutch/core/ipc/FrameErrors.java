package dev.clutch.core.ipc;

import io.netty.handler.codec.TooLongFrameException;

/** Words for what was wrong with a frame, the same on every connection. */
final class FrameErrors {

    private FrameErrors() {
    }

    static String describe(Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            return "an oversized frame (" + cause.getMessage() + "; see clutch.ipc.maxFrameBytes)";
        }
        if (cause instanceof MalformedFrameException) {
            return "a malformed frame (" + cause.getMessage() + ")";
        }
        return "something that broke the connection (" + cause + ")";
    }
}
