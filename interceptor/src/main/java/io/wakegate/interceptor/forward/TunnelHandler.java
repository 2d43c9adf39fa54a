package io.wakegate.interceptor.forward;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * Relays raw bytes one way for an upgraded connection (WebSocket, h2c), HexDumpProxy style:
 * the next read happens only when the previous write to the peer succeeded, so a slow side slows
 * the other. Either side closing closes the other once pending bytes are flushed.
 *
 * <p>Sits after a {@link MessagePerRead} (or, for h2c's backend side, right after the raw
 * connection); any HTTP message still queued from before the switch (the empty last content of
 * the 101) is dropped. A read still unanswered when a read cycle ends is asked for again (the
 * switch itself happens inside a read cycle). One instance per direction.
 */
final class TunnelHandler extends ChannelInboundHandlerAdapter {

    private final Channel peer;
    private final Runnable onClose;
    private boolean readPending;

    /** @param onClose run when this side closes; the exchange makes it idempotent */
    TunnelHandler(Channel peer, Runnable onClose) {
        this.peer = peer;
        this.onClose = onClose;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            read(ctx);
        }
    }

    private void read(ChannelHandlerContext ctx) {
        readPending = true;
        ctx.read();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (readPending && ctx.channel().isActive()) {
            ctx.read();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        readPending = false;
        if (!(msg instanceof ByteBuf)) {
            ReferenceCountUtil.release(msg);
            read(ctx);
            return;
        }
        peer.writeAndFlush(msg).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                read(ctx);
            } else {
                f.channel().close();
                ctx.close();
            }
        });
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closeOnFlush(peer);
        onClose.run();
    }

    /** Closes the tunnel when neither side sent a byte for {@code timeout} (a vanished peer). */
    static IdleStateHandler idleHandler(java.time.Duration timeout) {
        return new IdleStateHandler(0, 0, timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    /** Closes {@code ch} after everything written to it so far has been flushed. */
    static void closeOnFlush(Channel ch) {
        if (ch.isActive()) {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
