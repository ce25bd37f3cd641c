package dev.clutch.core.ipc;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.kqueue.KQueue;
import io.netty.channel.kqueue.KQueueDomainSocketChannel;
import io.netty.channel.kqueue.KQueueIoHandler;
import io.netty.channel.kqueue.KQueueServerDomainSocketChannel;
import io.netty.channel.kqueue.KQueueServerSocketChannel;
import io.netty.channel.kqueue.KQueueSocketChannel;
import io.netty.channel.unix.FileDescriptor;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.channel.unix.PeerCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.IntFunction;

/**
 * The native transport Clutch runs on: epoll on Linux, kqueue on macOS. Unix domain sockets and passing file
 * descriptors between processes need one of them; the JDK's NIO transport can do neither.
 */
public final class IpcTransport {

    private static final long OWN_UID = new com.sun.security.auth.module.UnixSystem().getUid();

    private final String name;
    private final IoHandlerFactory ioHandlerFactory;
    private final Class<? extends ServerChannel> serverDomainChannel;
    private final Class<? extends Channel> domainChannel;
    private final Class<? extends ServerChannel> serverSocketChannel;
    private final IntFunction<ServerChannel> serverSocketFromFd;
    private final IntFunction<Channel> socketFromFd;

    private IpcTransport(String name, IoHandlerFactory ioHandlerFactory,
                         Class<? extends ServerChannel> serverDomainChannel, Class<? extends Channel> domainChannel,
                         Class<? extends ServerChannel> serverSocketChannel,
                         IntFunction<ServerChannel> serverSocketFromFd, IntFunction<Channel> socketFromFd) {
        this.name = name;
        this.ioHandlerFactory = ioHandlerFactory;
        this.serverDomainChannel = serverDomainChannel;
        this.domainChannel = domainChannel;
        this.serverSocketChannel = serverSocketChannel;
        this.serverSocketFromFd = serverSocketFromFd;
        this.socketFromFd = socketFromFd;
    }

    /**
     * The transport of this platform.
     *
     * @throws UnsupportedOperationException naming the supported platforms and why neither transport loaded
     */
    public static IpcTransport detect() {
        if (Epoll.isAvailable()) {
            return new IpcTransport("epoll", EpollIoHandler.newFactory(), EpollServerDomainSocketChannel.class,
                    EpollDomainSocketChannel.class, EpollServerSocketChannel.class,
                    EpollServerSocketChannel::new, EpollSocketChannel::new);
        }
        if (KQueue.isAvailable()) {
            return new IpcTransport("kqueue", KQueueIoHandler.newFactory(), KQueueServerDomainSocketChannel.class,
                    KQueueDomainSocketChannel.class, KQueueServerSocketChannel.class,
                    KQueueServerSocketChannel::new, KQueueSocketChannel::new);
        }
        throw new UnsupportedOperationException("Clutch needs Netty's native transport: Linux (epoll, x86_64 or "
                + "aarch64) or macOS (kqueue). On " + System.getProperty("os.name") + "/"
                + System.getProperty("os.arch") + " neither loaded: epoll: " + Epoll.unavailabilityCause()
                + "; kqueue: " + KQueue.unavailabilityCause());
    }

    public String name() {
        return name;
    }

    /** A new event loop group of {@code threads} threads whose names start with {@code prefix}. */
    public EventLoopGroup newGroup(int threads, String prefix) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(prefix, true), ioHandlerFactory);
    }

    public Class<? extends ServerChannel> serverDomainChannel() {
        return serverDomainChannel;
    }

    public Class<? extends Channel> domainChannel() {
        return domainChannel;
    }

    public Class<? extends ServerChannel> serverSocketChannel() {
        return serverSocketChannel;
    }

    /** Wraps a listening TCP socket received from another process; register it, do not bind it. */
    public ServerChannel serverSocketFromFd(FileDescriptor fd) {
        return serverSocketFromFd.apply(fd.intValue());
    }

    /** The pid and uid of the process at the other end of a Unix domain socket, as the kernel reports them. */
    public PeerCredentials peerCredentials(Channel domainChannel) {
        try {
            if (domainChannel instanceof EpollDomainSocketChannel epoll) {
                return epoll.peerCredentials();
            }
            if (domainChannel instanceof KQueueDomainSocketChannel kqueue) {
                return kqueue.peerCredentials();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the peer credentials of " + domainChannel, e);
        }
        throw new IllegalArgumentException("not a Unix domain socket: " + domainChannel);
    }

    /**
     * The uid this process runs as: only peers with the same uid may talk to it, and only it may own the run
     * directory.
     */
    public static long processUid() {
        return OWN_UID;
    }

    /** Wraps an accepted TCP connection received from another process; register it into an event loop. */
    public Channel socketFromFd(FileDescriptor fd) {
        return socketFromFd.apply(fd.intValue());
    }
}
