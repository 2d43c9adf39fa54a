package io.wakegate.interceptor.forward;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.wakegate.interceptor.http.ClientTimeoutsHandler;
import io.wakegate.interceptor.http.RequestGuard;

/**
 * Looks at the first bytes of a client connection for the HTTP/2 connection preface
 * ({@code PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n}, h2c with prior knowledge, as gRPC clients send).
 * Anything else: removes itself and passes the bytes on untouched to the HTTP/1.1 codec. The
 * preface: removes the HTTP/1.1 handlers and hands the connection, with the bytes read so far, to
 * a {@link SettingsAckFilter} and an {@link H2cConnection}.
 *
 * <p>Sits right after the {@link ClientTimeoutsHandler} (whose idle and header timeouts keep
 * applying to the preface) and before {@link ClientCodec}, {@code MessagePerRead},
 * {@link RequestGuard} and {@link ProxyHandler}. Issues no reads: the proxy handler's first read
 * brings the first bytes, and {@code MessagePerRead} reads on after a cycle that produced no message.
 * One instance per connection; confined to its event loop.
 */
public final class H2cDetector extends ChannelInboundHandlerAdapter {

    private static final byte[] PREFACE = ByteBufUtil.getBytes(Http2CodecUtil.connectionPrefaceBuf());

    private final ProxyContext shared;
    private final ClientTimeoutsHandler timeouts;
    /** The bytes seen so far, while they are a prefix of the preface; at most its length plus one read. */
    private ByteBuf seen;

    public H2cDetector(ProxyContext shared, ClientTimeoutsHandler timeouts) {
        this.shared = shared;
        this.timeouts = timeouts;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (seen == null) {
            seen = buf;
        } else {
            ByteBuf both = ctx.alloc().buffer(seen.readableBytes() + buf.readableBytes());
            both.writeBytes(seen).writeBytes(buf);
            seen.release();
            buf.release();
            seen = both;
        }
        int n = Math.min(seen.readableBytes(), PREFACE.length);
        for (int i = 0; i < n; i++) {
            if (seen.getByte(seen.readerIndex() + i) != PREFACE[i]) {
                passOn(ctx);
                return;
            }
        }
        if (n == PREFACE.length) {
            ByteBuf bytes = seen;
            seen = null;
            ChannelPipeline p = ctx.pipeline();
            p.remove(ClientCodec.class);
            p.remove(MessagePerRead.class);
            p.remove(RequestGuard.class);
            p.remove(ProxyHandler.class);
            p.addAfter(ctx.name(), "h2c-settings-ack", new SettingsAckFilter());
            p.addAfter("h2c-settings-ack", "h2c", new H2cConnection(shared, timeouts));
            p.remove(this);
            ctx.fireChannelRead(bytes); // a removed handler's context still leads to its old successor
        }
        // else a prefix of the preface: wait for more (the proxy handler reads again at the cycle's end)
    }

    /** Not HTTP/2: HTTP/1.1 as usual, starting with the bytes already read. */
    private void passOn(ChannelHandlerContext ctx) {
        ByteBuf bytes = seen;
        seen = null;
        ctx.pipeline().remove(this);
        ctx.fireChannelRead(bytes);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (seen != null) {
            seen.release();
            seen = null;
        }
    }
}
