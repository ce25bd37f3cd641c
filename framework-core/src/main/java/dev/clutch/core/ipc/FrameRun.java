package dev.clutch.core.ipc;

import io.netty.buffer.ByteBuf;

/**
 * Consecutive envelope frames from one sender to one destination, as the bytes they arrived in (each frame with its
 * length prefix, its sender stamped): what the master forwards with one write per receiver instead of one per
 * message. Whoever holds it owns one reference to {@code frames}.
 */
public record FrameRun(ByteBuf frames, int count) {
}
