package dev.clutch.core.ipc;

import io.netty.handler.codec.CorruptedFrameException;

/** A frame whose bytes are not one registered message: garbage, a truncated body, or an unregistered type. */
public final class MalformedFrameException extends CorruptedFrameException {

    public MalformedFrameException(String message, Throwable cause) {
        super(message, cause);
    }
}
