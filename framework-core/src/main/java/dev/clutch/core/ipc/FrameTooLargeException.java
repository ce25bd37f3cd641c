package dev.clutch.core.ipc;

import io.netty.handler.codec.EncoderException;

/** A message to send that would not fit in {@code clutch.ipc.maxFrameBytes}; nothing was sent. */
public final class FrameTooLargeException extends EncoderException {

    public FrameTooLargeException(String message) {
        super(message);
    }
}
