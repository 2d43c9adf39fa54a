package io.wakegate.interceptor.forward;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Hands on one decoded message per {@code read()}, holding back the rest until they are asked
 * for — what Netty's {@code FlowControlHandler} does, for a channel with auto-read off (every
 * Wakegate connection), without its per-read-cycle costs: a message asked for passes straight
 * through, and the few held back wait in one small queue the connection keeps instead of a
 * recycled one per read cycle.
 *
 * <p>A message handed on because it was asked for is followed by {@code channelReadComplete}, as
 * with Netty's handler. Unlike Netty 4.2's, a read lasts until a message answers it: a read cycle
 * that decoded nothing passes its {@code channelReadComplete} on and reads the socket again, and
 * reads asked for again meanwhile are the same read — so no handler gets a message it did not
 * ask for, and bytes an idle pooled connection receives reach its handler (which closes it).
 *
 * <p>When the connection closes, the messages it still holds are released — or, with
 * {@code deliverOnClose}, handed on first: on a backend connection the end of a response
 * delimited by the backend's close is decoded only as the connection goes inactive, and the
 * response must get it before it hears of the close. Confined to the channel's event loop.
 */
public final class MessagePerRead extends ChannelDuplexHandler {

    private final boolean deliverOnClose;
    /** Decoded messages not asked for yet; created on first need, kept for the connection's life. */
    private ArrayDeque<Object> held;
    /**
     * A read was asked for and no message has answered it yet. One flag, not a count: reads asked
     * for again before a message came are one read (a pooled connection's read that watches for
     * a close, then the next exchange's), and it lasts until a message answers it.
     */
    private boolean wanted;
    /** A message is being handed on: a read asked for meanwhile is answered by the loop doing it. */
    private boolean handingOn;

    /** @param deliverOnClose hand on what is held when the channel goes inactive, instead of releasing it */
    public MessagePerRead(boolean deliverOnClose) {
        this.deliverOnClose = deliverOnClose;
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        wanted = true;
        if (!handingOn && handOnHeld(ctx)) {
            if (!wanted) {
                ctx.fireChannelReadComplete();
            }
            return;
        }
        if (held == null || held.isEmpty()) {
            ctx.read(); // from the socket; asking again while a read is pending is harmless
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (wanted && !handingOn && (held == null || held.isEmpty())) {
            wanted = false; // the usual case: asked for, nothing held before it
            handingOn = true;
            try {
                ctx.fireChannelRead(msg);
            } finally {
                handingOn = false;
            }
            handOnHeld(ctx); // a read asked for while it was handed on, from what arrived meanwhile
        } else {
            if (held == null) {
                held = new ArrayDeque<>(4);
            }
            held.add(msg);
            if (handingOn || !handOnHeld(ctx)) {
                return;
            }
        }
        if (!wanted) {
            ctx.fireChannelReadComplete();
        }
    }

    /** Hands on held messages while a read is unanswered; returns whether it handed on any. */
    private boolean handOnHeld(ChannelHandlerContext ctx) {
        if (held == null) {
            return false;
        }
        boolean any = false;
        handingOn = true;
        try {
            Object msg;
            while (wanted && (msg = held.poll()) != null) {
                wanted = false;
                any = true;
                ctx.fireChannelRead(msg);
            }
        } finally {
            handingOn = false;
        }
        return any;
    }

    /**
     * A read cycle ended. When the read asked for is still unanswered (the bytes decoded to no
     * message yet: half a head), it passes on and the socket is read again for the same read.
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (wanted) {
            ctx.fireChannelReadComplete();
            if (wanted && ctx.channel().isActive()) {
                ctx.read();
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        drain(ctx, deliverOnClose);
        ctx.fireChannelInactive();
    }

    /** Removed from the pipeline (h2c, a tunnel): what it holds goes on, as with Netty's handler. */
    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        drain(ctx, true);
    }

    private void drain(ChannelHandlerContext ctx, boolean handOn) {
        if (held == null) {
            return;
        }
        Object msg;
        while ((msg = held.poll()) != null) {
            if (handOn) {
                ctx.fireChannelRead(msg);
            } else {
                ReferenceCountUtil.release(msg);
            }
        }
    }
}
