package dev.clutch.core.child;

import dev.clutch.core.ipc.IpcPipeline;
import com.esotericsoftware.kryo.util.Pool;
import dev.clutch.core.ipc.FrameWriter;
import dev.clutch.core.ipc.IpcTransport;
import dev.clutch.core.ipc.MalformedFrameException;
import dev.clutch.core.logging.LogThrottle;
import dev.clutch.core.message.Envelope;
import dev.clutch.core.message.Hello;
import dev.clutch.core.message.MessageRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPromise;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.DomainSocketReadMode;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.UnixChannelOption;
import java.io.IOException;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A child's connections to its master: one for messages, and for workers one for file descriptors. */
public final class MasterLink implements MessageLink {

    private static final Logger log = LoggerFactory.getLogger(MasterLink.class);

    private final IpcTransport transport;
    private final EventLoopGroup group;
    private final ChildEnvironment environment;
    private final MessageRegistry registry;
    private final int maxFrameBytes;
    private final String[] payloadTypes;
    private final int maxPendingBytes;
    private Channel messages;
    /** Frames made by sending threads, waiting for the IPC thread; counted against the pending limit. */
    private final Queue<Object> outbound = new ConcurrentLinkedQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Pool<FrameWriter> writers;
    /** A process out of file descriptors fails every hand-over: one line a second says so. */
    private final LogThrottle descriptorFailures = new LogThrottle(Duration.ofSeconds(1));

    MasterLink(IpcTransport transport, EventLoopGroup group, ChildEnvironment environment, MessageRegistry registry,
               int maxFrameBytes, int maxPendingBytes, String[] payloadTypes) {
        this.transport = transport;
        this.group = group;
        this.environment = environment;
        this.registry = registry;
        this.maxFrameBytes = maxFrameBytes;
        this.payloadTypes = payloadTypes;
        this.maxPendingBytes = maxPendingBytes;
        this.writers = new Pool<>(true, false, 16) {
            @Override
            protected FrameWriter create() {
                return new FrameWriter(registry, maxFrameBytes);
            }
        };
    }

    /**
     * Connects the message channel and authenticates.
     *
     * @param inbound receives every envelope from the master, on the IPC thread
     * @param lost called once when the connection closes, which means the master is gone or refused this child
     */
    void connect(Consumer<Envelope> inbound, Runnable lost) throws IOException {
        messages = open(Hello.ChannelKind.MESSAGES, new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                IpcPipeline.limitPending(ch, maxPendingBytes);
                IpcPipeline.addCodec(ch.pipeline(), registry, maxFrameBytes);
                ch.pipeline().addLast(new SimpleChannelInboundHandler<Envelope>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, Envelope envelope) {
                        inbound.accept(envelope);
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        if (cause instanceof MalformedFrameException) {
                            // The master forwards other processes' messages unread: one that does not read is
                            // that sender's bug, and the frames around it are intact.
                            log.error("IPC: a message from the master does not read ({}); dropped",
                                    cause.getMessage());
                            return;
                        }
                        if (cause instanceof IOException) {
                            // Refused before its hello was read (the master's log says why), or the master died.
                            log.error("IPC: the connection to the master broke ({})", cause.getMessage());
                        } else {
                            log.error("IPC: bad frame from the master ({}); connection closed", cause.getMessage());
                        }
                        ctx.close();
                    }
                });
            }
        });
        messages.closeFuture().addListener(f -> lost.run());
    }

    /**
     * Opens the descriptor channel; each descriptor the master passes goes to {@code receiver}, {@code lostOne}
     * runs for each one that could not be received, and {@code afterBatch} runs after each read of one or more
     * and after each loss.
     */
    void receiveDescriptors(Consumer<FileDescriptor> receiver, Runnable lostOne, Runnable afterBatch)
            throws IOException {
        Channel channel = open(Hello.ChannelKind.DESCRIPTORS, new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.config().setOption(UnixChannelOption.DOMAIN_SOCKET_READ_MODE, DomainSocketReadMode.FILE_DESCRIPTORS);
                IpcPipeline.addCodec(ch.pipeline(), registry, maxFrameBytes);
                ch.pipeline().addLast(new SimpleChannelInboundHandler<FileDescriptor>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, FileDescriptor fd) {
                        receiver.accept(fd);
                    }

                    @Override
                    public void channelReadComplete(ChannelHandlerContext ctx) {
                        afterBatch.run();
                        ctx.fireChannelReadComplete();
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        // Most likely a descriptor the kernel could not give this process, at its limit of open
                        // files: the kernel closed that client. The connection goes on; the next ones may fit.
                        // The master counts it as taken all the same (it reads this after the batch's count):
                        // otherwise it would wait for it at every stop, and give this worker one fewer for good.
                        if (ctx.channel().isActive()) {
                            lostOne.run();
                            afterBatch.run();
                        }
                        descriptorFailures.log(heldBack -> log.error("IPC: a connection the master handed over was "
                                + "lost before this worker could take it ({}): the kernel closed it. If this process "
                                + "is at its limit of open files (ulimit -n, LimitNOFILE), raise the limit or find "
                                + "what holds them{}", cause.getMessage(), LogThrottle.andMore(heldBack)));
                    }
                });
            }
        });
        log.debug("descriptor channel open: {}", channel);
    }

    /**
     * Sends an envelope, in order after everything sent before it from any thread. The frame is made here, on the
     * sending thread; the IPC thread only writes what is queued, a whole batch per wake-up.
     *
     * @throws dev.clutch.core.ipc.FrameTooLargeException when the message is over {@code clutch.ipc.maxFrameBytes}
     */
    @Override
    public void post(Envelope envelope) {
        enqueue(frame(envelope), null);
    }

    /** Sends an envelope, like {@link #post}; the returned future tells when it was written, or why not. */
    public ChannelFuture send(Envelope envelope) {
        ChannelPromise written = messages.newPromise();
        try {
            enqueue(frame(envelope), written);
        } catch (RuntimeException e) {
            written.setFailure(e);
        }
        return written;
    }

    private ByteBuf frame(Envelope envelope) {
        FrameWriter writer = writers.obtain();
        try {
            return writer.frame(envelope, messages.alloc());
        } finally {
            writers.free(writer);
        }
    }

    private void enqueue(ByteBuf frame, ChannelPromise written) {
        queuedBytes.addAndGet(frame.readableBytes());
        outbound.add(written == null ? frame : new Queued(frame, written));
        if (drainScheduled.compareAndSet(false, true)) {
            messages.eventLoop().execute(this::drain);
        }
    }

    /** On the IPC thread: everything queued so far, then one flush. */
    private void drain() {
        // Cleared first: a frame queued while this runs schedules the next drain, so none is left behind.
        drainScheduled.set(false);
        long bytes = 0;
        for (Object next = outbound.poll(); next != null; next = outbound.poll()) {
            ByteBuf frame = next instanceof Queued queued ? queued.frame() : (ByteBuf) next;
            bytes += frame.readableBytes();
            if (!messages.isActive()) {
                frame.release();
                if (next instanceof Queued queued) {
                    queued.written().setFailure(new IOException("the connection to the master is closed"));
                }
            } else if (next instanceof Queued queued) {
                messages.write(frame, queued.written());
            } else {
                messages.write(frame, messages.voidPromise());
            }
        }
        queuedBytes.addAndGet(-bytes);
        messages.flush();
    }

    /** A frame whose sender waits to learn it was written. */
    private record Queued(ByteBuf frame, ChannelPromise written) {
    }

    @Override
    public void reading(boolean on) {
        messages.config().setAutoRead(on);
    }

    @Override
    public boolean isConnected() {
        return messages != null && messages.isActive();
    }

    /** False while unsent messages to the master are over {@code clutch.ipc.maxPendingBytes}. */
    @Override
    public boolean isWritable() {
        // What waits for the IPC thread counts with what the connection has not sent yet.
        return messages.isWritable() && queuedBytes.get() < messages.bytesBeforeUnwritable();
    }

    void close() {
        if (messages != null) {
            messages.close();
        }
    }

    private Channel open(Hello.ChannelKind kind, ChannelInitializer<Channel> initializer) throws IOException {
        ChannelFuture connect = new Bootstrap()
                .group(group)
                .channel(transport.domainChannel())
                .handler(initializer)
                .connect(new DomainSocketAddress(environment.ipcSocket().toFile()))
                .awaitUninterruptibly();
        if (!connect.isSuccess()) {
            throw new IOException("cannot reach the master at " + environment.ipcSocket() + ": "
                    + connect.cause().getMessage(), connect.cause());
        }
        Channel channel = connect.channel();
        Hello hello = new Hello(environment.token(), environment.role(), environment.workerId(),
                ProcessHandle.current().pid(), kind, registry.digest(), payloadTypes);
        ChannelFuture sent = channel.writeAndFlush(hello).awaitUninterruptibly();
        if (!sent.isSuccess()) {
            throw new IOException("cannot send hello to the master: " + sent.cause().getMessage(), sent.cause());
        }
        return channel;
    }
}
