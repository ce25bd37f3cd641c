package dev.clutch.core.control;

import dev.clutch.core.message.MessageRegistry;
import java.nio.charset.StandardCharsets;

/** What both ends of the control socket agree on: the preamble each sends first, and how large frames may be. */
final class ControlFrames {

    /**
     * The preamble's fixed start. The preamble is this, the 24 hex digits of {@link MessageRegistry#digest()} and a
     * newline; its length and this start must never change, so that a command and a master of different Clutch
     * versions still read each other's preamble and can say what differs.
     */
    private static final String MAGIC = "clutch-control ";
    private static final int DIGEST_CHARS = 24;
    static final int PREAMBLE_BYTES = MAGIC.length() + DIGEST_CHARS + 1;

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

    /** This build's preamble: every connection starts with it, in both directions, before the first frame. */
    static byte[] preamble() {
        return (MAGIC + MessageRegistry.framework().digest() + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The digest the other end's preamble names, or {@code null} when the bytes are not a Clutch control preamble.
     */
    static String peerDigest(byte[] preamble) {
        String text = new String(preamble, StandardCharsets.US_ASCII);
        if (preamble.length != PREAMBLE_BYTES || !text.startsWith(MAGIC) || !text.endsWith("\n")) {
            return null;
        }
        String digest = text.substring(MAGIC.length(), MAGIC.length() + DIGEST_CHARS);
        return digest.chars().allMatch(c -> Character.digit(c, 16) >= 0) ? digest : null;
    }

    /** Whether the other end reads and writes this build's messages alike. */
    static boolean sameMessages(String peerDigest) {
        return MessageRegistry.framework().digest().equals(peerDigest);
    }
}
