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
 * <p>The same contract as Netty's, which the handlers after it rely on: a message handed on
 * because it was asked for is followed by {@code channelReadComplete}; a read still unanswered
 * when a read cycle ends is forgotten and that cycle's {@code channelReadComplete} passes on, so
 * the handler that wanted it asks again.
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
    /** Reads asked for and not yet answered with a message (in this read cycle). */
    private int unsatisfied;
    /** Messages are being handed on: a read asked for meanwhile is answered by the loop doing it. */
    private boolean handingOn;

    /** @param deliverOnClose hand on what is held when the channel goes inactive, instead of releasing it */
    public MessagePerRead(boolean deliverOnClose) {
        this.deliverOnClose = deliverOnClose;
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        unsatisfied++;
        if (!handOnHeld(ctx)) {
            ctx.read();
        } else if (unsatisfied == 0 && !handingOn) {
            ctx.fireChannelReadComplete();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (unsatisfied > 0 && !handingOn && (held == null || held.isEmpty())) {
            unsatisfied--; // the usual case: asked for, nothing held before it
            handingOn = true;
            try {
                ctx.fireChannelRead(msg);
            } finally {
                handingOn = false;
            }
            handOnHeld(ctx); // reads asked for while it was handed on
        } else {
            if (held == null) {
                held = new ArrayDeque<>(4);
            }
            held.add(msg);
            if (!handOnHeld(ctx)) {
                return;
            }
        }
        if (unsatisfied == 0 && !handingOn) {
            ctx.fireChannelReadComplete();
        }
    }

    /** Hands on held messages while reads are unanswered; returns whether it handed on any. */
    private boolean handOnHeld(ChannelHandlerContext ctx) {
        if (handingOn || held == null) {
            return false;
        }
        boolean any = false;
        handingOn = true;
        try {
            Object msg;
            while (unsatisfied > 0 && (msg = held.poll()) != null) {
                unsatisfied--;
                any = true;
                ctx.fireChannelRead(msg);
            }
        } finally {
            handingOn = false;
        }
        return any;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (unsatisfied > 0) {
            unsatisfied = 0; // the cycle brought no message for it: whoever asked asks again
            ctx.fireChannelReadComplete();
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
