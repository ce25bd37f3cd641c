package dev.clutch.worker.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline of one HTTP connection: a gate that stops its reads while enough requests wait, a deadline for each
 * request to arrive whole, idle timeout (no request, or a response the client does not read), codec, body
 * aggregation (413 past the limit), then the dispatcher, which serves one request at a time.
 */
final class HttpInitializer extends ChannelInitializer<Channel> {

    private final Dispatcher.Shared shared;
    private final int maxBodyBytes;
    private final long idleMillis;

    /** Longest request line (method, target, version) a worker reads: longer ones get 414. */
    static final int MAX_REQUEST_LINE_BYTES = 8192;
    /** Largest header section a worker reads: larger ones get 431. */
    static final int MAX_HEADER_BYTES = 16384;

    HttpInitializer(Dispatcher.Shared shared, int maxBodyBytes, long idleMillis) {
        this.shared = shared;
        this.maxBodyBytes = maxBodyBytes;
        this.idleMillis = idleMillis;
    }

    @Override
    protected void initChannel(Channel ch) {
        shared.draining().track(ch);
        // A client may shut down its side once its request is sent (nc -N does): it still gets the response,
        // then the connection closes (Dispatcher).
        ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        ReadGate gate = new ReadGate();
        ch.pipeline()
                .addLast(gate)
                .addLast(new RequestArrival(idleMillis))
                // Output counts as activity while it moves: a slow reader of a large response is not idle, a
                // client that stopped reading is.
                .addLast(new IdleStateHandler(true, 0, 0, idleMillis, TimeUnit.MILLISECONDS))
                .addLast(new HttpServerCodec(new HttpDecoderConfig()
                        .setMaxInitialLineLength(MAX_REQUEST_LINE_BYTES).setMaxHeaderSize(MAX_HEADER_BYTES)))
                .addLast(new BodyAggregator(maxBodyBytes))
                .addLast(new Dispatcher(shared, gate, maxBodyBytes));
    }
}
