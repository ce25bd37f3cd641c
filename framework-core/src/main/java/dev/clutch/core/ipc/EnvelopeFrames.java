package dev.clutch.core.ipc;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import dev.clutch.core.api.Role;
import dev.clutch.core.message.AppMessage;
import dev.clutch.core.message.Destination;
import dev.clutch.core.message.Envelope;
import dev.clutch.core.message.Sender;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The layout of an envelope frame. After the 4-byte length prefix, its routing fields come first, fixed-size,
 * ahead of the Kryo body, so the master routes a message between children by reading and stamping those bytes in
 * place and forwarding the frame as it came, without deserializing (or even copying) the body:
 *
 * <pre>
 *   byte  mark (0: Kryo never writes 0 first for a non-null object, so plain frames cannot start with it)
 *   byte  destination kind (ordinal + 1)     long destination pid
 *   byte  sender role (ordinal + 1, 0: none) int sender worker id    long sender pid
 *   ...   the body, Kryo class and object; an application message's starts with its kind and correlation
 * </pre>
 *
 * Every other frame (hello, control socket) is a plain Kryo object.
 */
public final class EnvelopeFrames {

    static final byte MARK = 0;
    /** Offsets from the start of the frame, its length prefix included. */
    private static final int MARK_AT = 4;
    private static final int DESTINATION_KIND = 5;
    private static final int DESTINATION_PID = 6;
    private static final int SENDER_ROLE = 14;
    private static final int SENDER_WORKER = 15;
    private static final int SENDER_PID = 19;
    private static final int BODY = 27;
    /** The routing fields, after the length prefix. */
    static final int HEADER_BYTES = BODY - MARK_AT;

    private static final Destination.Kind[] KINDS = Destination.Kind.values();
    /** By kind ordinal; {@code null} for a process, which has its pid. */
    private static final Destination[] CONSTANT_DESTINATIONS = Stream.of(KINDS)
            .map(k -> k == Destination.Kind.PROCESS ? null : new Destination(k, 0)).toArray(Destination[]::new);
    private static final Role[] ROLES = Role.values();
    private static final AppMessage.Kind[] APP_KINDS = AppMessage.Kind.values();

    private EnvelopeFrames() {
    }

    /** Whether this frame (length prefix included) is an envelope. */
    static boolean isEnvelope(ByteBuf frame) {
        return isEnvelope(frame, frame.readerIndex(), frame.readableBytes());
    }

    /** Whether the {@code frameBytes} at {@code at} (length prefix included) are an envelope. */
    static boolean isEnvelope(ByteBuf buf, int at, int frameBytes) {
        return frameBytes >= BODY && buf.getByte(at + MARK_AT) == MARK;
    }

    /** Writes the routing fields; the body follows. */
    static void writeHeader(ByteBuf out, Envelope envelope) {
        out.writeByte(MARK);
        out.writeByte(envelope.destination().kind().ordinal() + 1);
        out.writeLong(envelope.destination().pid());
        Sender sender = envelope.sender();
        out.writeByte(sender == null ? 0 : sender.role().ordinal() + 1);
        out.writeInt(sender == null ? 0 : sender.workerId());
        out.writeLong(sender == null ? 0 : sender.pid());
    }

    /**
     * The envelope's destination, or {@code null} when its bytes name none (an unknown kind, or a pid that is not
     * positive for a process).
     */
    static Destination destination(ByteBuf frame) {
        int at = frame.readerIndex();
        int kind = destinationKind(frame, at);
        if (kind < 0) {
            return null;
        }
        long pid = frame.getLong(at + DESTINATION_PID);
        return KINDS[kind] == Destination.Kind.PROCESS ? Destination.process(pid) : CONSTANT_DESTINATIONS[kind];
    }

    /**
     * The ordinal of the destination kind of the envelope at {@code at}, or -1 when its bytes name none (an unknown
     * kind, a pid that is not positive for a process, or one given where none belongs).
     */
    static int destinationKind(ByteBuf buf, int at) {
        int kind = buf.getByte(at + DESTINATION_KIND) - 1;
        if (kind < 0 || kind >= KINDS.length) {
            return -1;
        }
        long pid = buf.getLong(at + DESTINATION_PID);
        boolean process = KINDS[kind] == Destination.Kind.PROCESS;
        return (process ? pid > 0 : pid == 0) ? kind : -1;
    }

    static long destinationPid(ByteBuf buf, int at) {
        return buf.getLong(at + DESTINATION_PID);
    }

    /** Writes the authenticated sender into the frame at {@code at}, over whatever the child put there. */
    static void stamp(ByteBuf buf, int at, Sender sender) {
        buf.setByte(at + SENDER_ROLE, sender.role().ordinal() + 1);
        buf.setInt(at + SENDER_WORKER, sender.workerId());
        buf.setLong(at + SENDER_PID, sender.pid());
    }

    /** The sender stamped into the frame, or {@code null} when it has none. */
    public static Sender sender(ByteBuf frame) {
        int at = frame.readerIndex();
        int role = frame.getByte(at + SENDER_ROLE) - 1;
        if (role < 0 || role >= ROLES.length) {
            return null;
        }
        return new Sender(ROLES[role], frame.getInt(at + SENDER_WORKER), frame.getLong(at + SENDER_PID));
    }

    /** The pid of the stamped sender of the frame at the buffer's reader index, without decoding the rest. */
    public static long senderPid(ByteBuf frame) {
        return frame.getLong(frame.readerIndex() + SENDER_PID);
    }

    /**
     * Whether the body of the frame at {@code at} is an {@link AppMessage}, judged by its first byte: Kryo writes a
     * registered class as its ID plus 2, one byte below 64. Only application messages travel between children.
     */
    static boolean carriesAppMessage(ByteBuf buf, int at, int frameBytes, int appMessageClassByte) {
        return frameBytes > BODY && buf.getByte(at + BODY) == appMessageClassByte;
    }

    /** What {@link #forEachRequestOrReply} finds in a frame. */
    @FunctionalInterface
    public interface CorrelatedFrame {
        void accept(AppMessage.Kind kind, long correlation);
    }

    /**
     * Calls {@code found} with the kind and correlation of each request and reply in a run of application-message
     * frames, read from the first bytes of each body (see {@code AppMessageSerializer}); frames too short to hold
     * them are skipped, not trusted.
     */
    public static void forEachRequestOrReply(ByteBuf run, CorrelatedFrame found) {
        for (int at = run.readerIndex(); at < run.writerIndex(); ) {
            int end = at + Integer.BYTES + run.getInt(at);
            int kindAt = at + BODY + 1;
            if (kindAt + 1 < end) {
                int kind = run.getByte(kindAt);
                if (kind > AppMessage.Kind.SEND.ordinal() && kind < APP_KINDS.length) {
                    long correlation = varLong(run, kindAt + 1, end);
                    if (correlation > 0) {
                        found.accept(APP_KINDS[kind], correlation);
                    }
                }
            }
            at = end;
        }
    }

    /** Whether a run of application-message frames holds a reply (or a handler's failure) to a request. */
    public static boolean anyReply(ByteBuf run) {
        boolean[] found = new boolean[1];
        forEachRequestOrReply(run, (kind, correlation) -> found[0] |= kind != AppMessage.Kind.REQUEST);
        return found[0];
    }

    /** Kryo's positive variable-length long at {@code at}; -1 when it runs past {@code end}. */
    static long varLong(ByteBuf buf, int at, int end) {
        long value = 0;
        for (int i = 0; i < 9; i++) {
            if (at + i >= end) {
                return -1;
            }
            int b = buf.getByte(at + i);
            if (i == 8) {
                return value | (long) (b & 0xFF) << 56;
            }
            value |= (long) (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        return value;
    }

    /**
     * The frames of a run, each a slice (sharing the run's bytes) whose reader index is its start; for the rare
     * paths that read them one by one.
     */
    public static List<ByteBuf> split(ByteBuf run) {
        List<ByteBuf> frames = new ArrayList<>();
        for (int at = run.readerIndex(); at < run.writerIndex(); ) {
            int frameBytes = Integer.BYTES + run.getInt(at);
            frames.add(run.slice(at, frameBytes));
            at += frameBytes;
        }
        return frames;
    }

    /**
     * Reads a whole envelope frame; the reader index is not moved.
     *
     * @throws MalformedFrameException when the bytes are not one registered message
     */
    public static Envelope read(Kryo kryo, ByteBuf frame) {
        Destination destination = destination(frame);
        if (destination == null) {
            throw new MalformedFrameException("envelope with an unknown destination", null);
        }
        Sender sender = sender(frame);
        int length = frame.readableBytes() - BODY;
        byte[] bytes = new byte[length];
        frame.getBytes(frame.readerIndex() + BODY, bytes);
        Input input = new Input(bytes);
        Object message = KryoDecoder.readChecked(kryo, input, length);
        return new Envelope(sender, destination, message);
    }
}
