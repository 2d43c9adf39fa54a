package io.wakegate.interceptor;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.wakegate.interceptor.forward.ClientCodec;
import io.wakegate.interceptor.forward.H2cDetector;
import io.wakegate.interceptor.forward.MessagePerRead;
import io.wakegate.interceptor.forward.ProxyContext;
import io.wakegate.interceptor.forward.ProxyHandler;
import io.wakegate.interceptor.http.ClientTimeoutsHandler;
import io.wakegate.interceptor.http.RequestGuard;

/**
 * Assembles a client connection's pipeline, in the order bytes travel:
 * <ol>
 *   <li>{@code timeouts} — {@link ClientTimeoutsHandler}: idle and slow-header timeouts on raw bytes;</li>
 *   <li>{@code preface} — {@link H2cDetector}: the HTTP/2 preface switches the connection to h2c
 *       pass-through (routed by its first request, relayed as bytes); anything else removes it;</li>
 *   <li>{@code codec} — {@link ClientCodec} (Netty's {@code HttpServerCodec}, with shared header names) with the configured line and header limits (it
 *       fails smuggling-prone framing and oversized heads; the guard answers them);</li>
 *   <li>{@code flow} — {@link MessagePerRead}: one message per {@code read()}, so a held
 *       request's body stays in the socket;</li>
 *   <li>{@code guard} — {@link RequestGuard}: 400/405/413/414/431 before routing;</li>
 *   <li>{@code proxy} — {@link ProxyHandler}: routing, holding, forwarding.</li>
 * </ol>
 * The channel runs with auto-read off. Every connection joins {@code connections}, for shutdown.
 */
final class ProxyChannelInitializer extends ChannelInitializer<Channel> {

    private final ProxyContext context;
    private final RequestGuard guard;
    private final HttpDecoderConfig decoderConfig;
    private final long idleTimeoutNanos;
    private final long headerTimeoutNanos;
    private final ChannelGroup connections;

    ProxyChannelInitializer(ProxyContext context, RequestGuard guard, int maxInitialLineLength, int maxHeaderSize,
                            long idleTimeoutNanos, long headerTimeoutNanos, ChannelGroup connections) {
        this.context = context;
        this.guard = guard;
        this.decoderConfig = new HttpDecoderConfig()
                .setMaxInitialLineLength(maxInitialLineLength)
                .setMaxHeaderSize(maxHeaderSize)
                .setMaxChunkSize(64 * 1024);
        this.idleTimeoutNanos = idleTimeoutNanos;
        this.headerTimeoutNanos = headerTimeoutNanos;
        this.connections = connections;
    }

    @Override
    protected void initChannel(Channel ch) {
        ClientTimeoutsHandler timeouts = new ClientTimeoutsHandler(idleTimeoutNanos, headerTimeoutNanos);
        ch.pipeline()
                .addLast("timeouts", timeouts)
                .addLast("preface", new H2cDetector(context, timeouts))
                .addLast("codec", new ClientCodec(decoderConfig))
                .addLast("flow", new MessagePerRead(false))
                .addLast("guard", guard)
                .addLast("proxy", new ProxyHandler(context, timeouts));
        connections.add(ch);
    }
}
