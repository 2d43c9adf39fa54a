package io.wakegate.interceptor.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes client connections that sit idle between requests ({@code idleTimeout}) or that start
 * a request but do not finish its head in time ({@code requestHeaderTimeout}, against slowloris).
 * A request in progress — held, forwarded, streaming, tunnelled — is never timed out here; the
 * proxy owns those timeouts.
 *
 * <p>Sits first in the pipeline, before the HTTP decoder, so it sees raw bytes. The proxy
 * handler calls {@link #requestStarted()} when a decoded head arrives and
 * {@link #requestFinished()} when the exchange is over and it reads for the next one. All calls
 * happen on the channel's event loop.
 */
public final class ClientTimeoutsHandler extends ChannelDuplexHandler {

    private static final Logger log = LoggerFactory.getLogger(ClientTimeoutsHandler.class);

    private enum State { IDLE, HEADERS, ACTIVE }

    private final long idleTimeoutNanos;
    private final long headerTimeoutNanos;
    private ChannelHandlerContext ctx;
    private State state = State.IDLE;
    private ScheduledFuture<?> timer;

    public ClientTimeoutsHandler(long idleTimeoutNanos, long headerTimeoutNanos) {
        this.idleTimeoutNanos = idleTimeoutNanos;
        this.headerTimeoutNanos = headerTimeoutNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        enterIdle();
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state == State.IDLE && msg instanceof ByteBuf buf && buf.isReadable()) {
            state = State.HEADERS;
            schedule(headerTimeoutNanos, "request-header-timeout");
        }
        ctx.fireChannelRead(msg);
    }

    /** A complete request head was decoded: no timeout applies until {@link #requestFinished()}. */
    public void requestStarted() {
        cancel();
        state = State.ACTIVE;
    }

    /** The exchange ended and the connection stays open for the next request. */
    public void requestFinished() {
        if (state == State.ACTIVE) {
            enterIdle();
        }
    }

    /** The connection stops being HTTP (a tunnel): no timeout of this handler applies any more. */
    public void disable() {
        cancel();
        state = State.ACTIVE;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancel();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    private void enterIdle() {
        state = State.IDLE;
        schedule(idleTimeoutNanos, "idle-timeout");
    }

    private void schedule(long nanos, String why) {
        cancel();
        State armedIn = state;
        timer = ctx.executor().schedule(() -> {
            timer = null;
            if (state == armedIn && ctx.channel().isActive()) {
                log.debug("closing {}: {}", ctx.channel().remoteAddress(), why);
                ctx.close();
            }
        }, nanos, TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
