package dev.clutch.core.control;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.KryoBufferOverflowException;
import com.esotericsoftware.kryo.io.Output;
import dev.clutch.core.config.ClutchConfig;
import dev.clutch.core.config.ClutchSettings;
import dev.clutch.core.master.RunDirectory;
import dev.clutch.core.message.ControlReply;
import dev.clutch.core.message.ControlRequest;
import dev.clutch.core.message.MessageRegistry;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sends commands to a running master through its control socket, one per connection, and waits for the reply.
 *
 * <p>A blocking JDK socket, not Netty: an operator's command is one short exchange, and a command line that loads
 * no event loop (nor the logging Netty would start) answers about a tenth of a second sooner. The frames are the
 * IPC's: a 4-byte length, then one Kryo message of the framework's registry.
 */
public final class ControlClient {

    /**
     * Replies come from the instance's own master, over a socket only its user can open, and that master may run
     * with a larger {@code clutch.ipc.maxFrameBytes} than this command was given (a {@code -D} flag of its start):
     * a reply may be as large as the largest setting allows.
     */
    private static final int MAX_REPLY_FRAME_BYTES = ControlFrames.limit(
            (int) ClutchSettings.IPC_MAX_FRAME_BYTES_CEILING);

    private final Path socket;
    private final int maxRequestFrameBytes;

    /**
     * @param maxFrameBytes {@code clutch.ipc.maxFrameBytes} as this command sees it: a request may be as large as
     *     the control socket carries for it
     */
    public ControlClient(Path socket, int maxFrameBytes) {
        this.socket = socket;
        this.maxRequestFrameBytes = ControlFrames.limit(maxFrameBytes);
    }

    /** The client of the instance {@code config} describes: its run directory's control socket. */
    public static ControlClient of(ClutchConfig config) {
        return new ControlClient(RunDirectory.controlSocketIn(config.runDir()), config.maxFrameBytes());
    }

    /**
     * @throws IOException saying no instance runs there, or what went wrong talking to it
     */
    public ControlReply send(ControlRequest request, Duration timeout) throws IOException {
        if (!Files.exists(socket)) {
            Path runDir = socket.getParent();
            if (Files.isDirectory(runDir) && !Files.isExecutable(runDir)) {
                throw new IOException("cannot look into " + runDir + ": a run directory is owner-only (0700), and "
                        + "this one belongs to uid " + Files.getAttribute(runDir, "unix:uid") + ": run the command "
                        + "as that user");
            }
            String holder = runningHolder();
            if (holder != null) {
                throw new IOException("no control socket at " + socket + ", but pid " + holder + " holds its run "
                        + "directory: either a single-process run (start --single), which takes no commands (Ctrl-C "
                        + "or kill -TERM " + holder + " stops it), or a master still starting or stopping: try again "
                        + "in a moment");
            }
            throw new IOException("no running instance: " + socket + " does not exist (is it started, and with "
                    + "the same clutch.baseDir / clutch.runDir?)");
        }
        // The answer must come from this user's master, not from sockets another user put in its place.
        RunDirectory.checkParents(socket.getParent());
        RunDirectory.checkOwner(socket.getParent(), "its sockets could be that user's, and a master takes commands "
                + "from its own user only: run the command as that user");
        Kryo kryo = MessageRegistry.framework().newKryo();
        ByteBuffer frame = preambleAndFrame(kryo, request);
        AtomicBoolean timedOut = new AtomicBoolean();
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            Thread watchdog = closeAfter(timeout, channel, timedOut);
            try {
                try {
                    connect(channel);
                } catch (IOException e) {
                    // A master whose listen backlog is full leaves connect waiting until the watchdog closes it.
                    throwIfTimedOut(timedOut, request, timeout, e);
                    throw e;
                }
                try {
                    while (frame.hasRemaining()) {
                        channel.write(frame);
                    }
                } catch (IOException e) {
                    throwIfTimedOut(timedOut, request, timeout, e);
                    // Not carried out for sure: typically a master that closed its socket while stopping.
                    throw new IOException("'" + request.command() + "' did not reach the master, nothing was done (it "
                            + "is stopping or gone, or refused the connection): " + e.getMessage(), e);
                }
                return read(kryo, channel, request, timeout, timedOut);
            } finally {
                watchdog.interrupt();
            }
        } catch (ClosedByInterruptException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private ByteBuffer preambleAndFrame(Kryo kryo, ControlRequest request) throws IOException {
        Output output = new Output(1024, maxRequestFrameBytes);
        try {
            kryo.writeClassAndObject(output, request);
        } catch (KryoBufferOverflowException e) {
            throw new IOException("'" + request.command() + "' was not sent: it is larger than the control socket "
                    + "takes (" + maxRequestFrameBytes + " bytes, from clutch.ipc.maxFrameBytes)", e);
        }
        byte[] preamble = ControlFrames.preamble();
        return ByteBuffer.allocate(preamble.length + Integer.BYTES + output.position()).put(preamble)
                .putInt(output.position()).put(output.getBuffer(), 0, output.position()).flip();
    }

    private void connect(SocketChannel channel) throws IOException {
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            if (!Files.exists(socket)) {
                throw new IOException("no running instance: " + socket + " went away while connecting (the master "
                        + "stopped)", e);
            }
            throw e instanceof ConnectException
                    ? new IOException("no running instance: nothing listens on " + socket + " (the master that made "
                    + "it is gone; the next start replaces it)", e)
                    : new IOException("cannot reach the master at " + socket + ": " + e, e);
        }
    }

    /** The master reads no frame of a command whose messages differ from its own: say so before waiting for one. */
    private void checkPreamble(byte[] preamble) throws IOException {
        String digest = ControlFrames.peerDigest(preamble);
        if (digest == null) {
            throw new ReportedException("cannot read the master's answer: " + socket + " does not answer as a Clutch "
                    + "master does (is the run directory shared with another program?)");
        }
        if (!ControlFrames.sameMessages(digest)) {
            String pid = masterPid();
            throw new ReportedException("the master (pid " + pid + ") runs another version of Clutch than this "
                    + "command: their messages differ (the master's " + digest + ", this command's "
                    + MessageRegistry.framework().digest() + "), and it did nothing. Run the command with the launcher "
                    + "of the build the master started from; to move the instance to this version, stop it (kill -TERM "
                    + pid + " does it as stop would) and start this build: a reload cannot change Clutch's version");
        }
    }

    /**
     * The pid the run directory's pid file names while a process holds the file's lock, or null: a pid left in the
     * file by a process killed outright may belong to another process by now.
     */
    private String runningHolder() {
        String pid = masterPid();
        try {
            return isLocked(RunDirectory.pidFileIn(socket.getParent()))
                    && ProcessHandle.of(Long.parseLong(pid)).filter(ProcessHandle::isAlive).isPresent() ? pid : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static boolean isLocked(Path pidFile) {
        try (FileChannel channel = FileChannel.open(pidFile, StandardOpenOption.READ)) {
            FileLock lock = channel.tryLock(0, Long.MAX_VALUE, true);
            if (lock == null) {
                return true;
            }
            lock.release();
            return false;
        } catch (OverlappingFileLockException e) {
            // This very JVM holds it.
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private String masterPid() {
        try {
            String pid = Files.readString(RunDirectory.pidFileIn(socket.getParent())).trim();
            return pid.isEmpty() ? "unknown" : pid;
        } catch (IOException e) {
            return "unknown";
        }
    }

    private ControlReply read(Kryo kryo, SocketChannel channel, ControlRequest request, Duration timeout,
                              AtomicBoolean timedOut) throws IOException {
        try {
            checkPreamble(readFully(channel, ByteBuffer.allocate(ControlFrames.PREAMBLE_BYTES)).array());
            int length = readFully(channel, ByteBuffer.allocate(Integer.BYTES)).getInt();
            if (length <= 0 || length > MAX_REPLY_FRAME_BYTES) {
                throw new ReportedException("cannot read the master's answer: a frame of " + length + " bytes (at "
                        + "most " + MAX_REPLY_FRAME_BYTES + ")");
            }
            byte[] body = readFully(channel, ByteBuffer.allocate(length)).array();
            Input input = new Input(body);
            Object reply;
            try {
                reply = kryo.readClassAndObject(input);
            } catch (KryoException e) {
                throw new ReportedException("cannot read the master's answer: " + e.getMessage(), e);
            }
            if (!(reply instanceof ControlReply controlReply) || input.position() != length) {
                throw new ReportedException("cannot read the master's answer: a frame of " + length + " bytes that is "
                        + "not one reply");
            }
            return controlReply;
        } catch (ReportedException e) {
            throw e;
        } catch (EOFException e) {
            throwIfTimedOut(timedOut, request, timeout, e);
            throw new IOException("the master closed the control connection without answering", e);
        } catch (IOException e) {
            throwIfTimedOut(timedOut, request, timeout, e);
            // A reset: its listen backlog dropped when it stopped, or it died.
            throw new IOException("the master dropped the connection without answering '" + request.command()
                    + "' (it is stopping or gone: check with status whether it was carried out): " + e.getMessage(),
                    e);
        }
    }

    /** What the master answered, and why this command cannot use it: said in full, not as an I/O failure. */
    private static final class ReportedException extends IOException {
        ReportedException(String message) {
            super(message);
        }

        ReportedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static ByteBuffer readFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new EOFException("end of stream after " + buffer.position() + " bytes");
            }
        }
        return buffer.flip();
    }

    /** Blocking calls on the channel end with an exception when it closes: that is how the timeout interrupts them. */
    private static Thread closeAfter(Duration timeout, SocketChannel channel, AtomicBoolean timedOut) {
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(timeout.toMillis());
                timedOut.set(true);
                channel.close();
            } catch (InterruptedException | IOException answeredOrClosed) {
                // The exchange ended first.
            }
        }, "clutch-control-timeout");
        watchdog.setDaemon(true);
        watchdog.start();
        return watchdog;
    }

    private static void throwIfTimedOut(AtomicBoolean timedOut, ControlRequest request, Duration timeout,
                                        IOException cause) throws IOException {
        if (timedOut.get() && request.command().equals("reload")) {
            // A reload answers when the last process is replaced: a slow one is still going, not lost.
            throw new IOException("no answer from the master within " + timeout.toMillis() + " ms: the reload may "
                    + "still be under way (follow it with status or logs; --timeout S waits longer), or the master "
                    + "is stopped or overloaded", cause);
        }
        if (timedOut.get()) {
            throw new IOException("no answer from the master within " + timeout.toMillis() + " ms: it is stopped "
                    + "or overloaded, and may still carry out '" + request.command() + "' once it runs again (check "
                    + "with status)", cause);
        }
    }
}
