package dev.clutch.core.master;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clutch.core.ipc.IpcTransport;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A port the master cannot listen on: each reason said with what to do. */
class ListeningSocketsTest {

    private final IpcTransport transport = IpcTransport.detect();
    private final EventLoopGroup group = transport.newGroup(1, "test-listen");

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private IOException refused(String host, int port) {
        return assertThrows(IOException.class, () -> ListeningSockets.bind(transport, group, host, port, 16, false,
                false, new ChannelInboundHandlerAdapter()).close().syncUninterruptibly());
    }

    @Test
    void anAddressNoInterfaceHasNamesTheSetting() {
        // TEST-NET-1 (RFC 5737): on no host's interfaces.
        IOException e = refused("192.0.2.1", 0);
        assertTrue(e.getMessage().startsWith("cannot listen on 192.0.2.1:0: no network interface of this host has "
                + "the address 192.0.2.1: set clutch.http.host"), e.getMessage());
    }

    @Test
    void aHostNameThatDoesNotResolveNamesTheSetting() {
        IOException e = refused("no-such-host.invalid", 0);
        assertTrue(e.getMessage().startsWith("cannot listen on no-such-host.invalid:0: the host name "
                + "no-such-host.invalid does not resolve: set clutch.http.host"), e.getMessage());
    }
}
