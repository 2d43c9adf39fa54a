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
 * <p>It also watches a held request's connection for the client going away
 * ({@link #watchForClose()}): with auto-read off, NIO notices a peer's close only when it reads,
 * so while a request is held this handler keeps one socket read outstanding. What such a read
 * brings — the start of the body, a pipelined request — is decoded and stays queued in the
 * {@code MessagePerRead} until the proxy reads it; to keep a held request from buffering its
 * body, watching stops after {@link #HELD_READ_AHEAD_BYTES} (a close is then noticed at admission
 * or at the cold-start timeout). Socket reads are capped at {@link SmallReads#MAX_BYTES} while the
 * connection waits for a head and while its request is held ({@link #smallReads}), so a held
 * request has at most 2 KiB read with its head plus 2 KiB read ahead: 4 KiB, bodies included —
 * unless the proxy reads the body itself: as far as its {@code model} (routing by model) or, held
 * on a route with stream keep-alives, its {@code stream} flag, at most {@code limits.modelReadAhead}
 * per request and {@code limits.readAheadBudget} in all.
 *
 * <p>Sits first in the pipeline, before the HTTP decoder, so it sees raw bytes. The proxy
 * handler calls {@link #requestStarted()} when a decoded head arrives and
 * {@link #requestFinished()} when the exchange is over and it reads for the next one. All calls
 * happen on the channel's event loop.
 */
public final class ClientTimeoutsHandler extends ChannelDuplexHandler {

    private static final Logger log = LoggerFactory.getLogger(ClientTimeoutsHandler.class);

    /**
     * Bytes read ahead while watching a held request for a close: one small read
     * ({@link SmallReads#MAX_BYTES}), after which watching stops.
     */
    public static final int HELD_READ_AHEAD_BYTES = SmallReads.MAX_BYTES;

    private enum State { IDLE, HEADERS, ACTIVE }

    private final long idleTimeoutNanos;
    private final long headerTimeoutNanos;
    private ChannelHandlerContext ctx;
    private State state = State.IDLE;
    /**
     * The one timer of the connection. It is not moved for each request: a state change only
     * sets {@link #deadline}, and the timer, which fires at most {@link #checkNanos} after it was
     * armed, re-arms itself for what is left — so keep-alive requests schedule nothing (a timer
     * per request costs a priority-queue insert and removal on the event loop).
     */
    private ScheduledFuture<?> timer;
    /** nanoTime at which the IDLE or HEADERS state times out. */
    private long deadline;
    private final long checkNanos;
    private boolean watching;
    private boolean held;
    private long readAhead;

    public ClientTimeoutsHandler(long idleTimeoutNanos, long headerTimeoutNanos) {
        this.idleTimeoutNanos = idleTimeoutNanos;
        this.headerTimeoutNanos = headerTimeoutNanos;
        this.checkNanos = Math.min(idleTimeoutNanos, headerTimeoutNanos);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        // Before the first read creates the channel's allocator handle.
        ctx.channel().config().setRecvByteBufAllocator(
                new SmallReads(ctx.channel().config().getRecvByteBufAllocator(), this::smallReads));
    }

    /** Whether reads are small now: no request head yet, or the request is held. Event loop only. */
    boolean smallReads() {
        return state != State.ACTIVE || watching || held;
    }

    /**
     * A request that issues its own reads (h2c) is held ({@code true}) or no longer ({@code false}):
     * its reads are small meanwhile.
     */
    public void held(boolean held) {
        this.held = held;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        enterIdle();
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            if (state == State.IDLE && buf.isReadable()) {
                state = State.HEADERS;
                deadline = System.nanoTime() + headerTimeoutNanos;
                armTimer();
            }
            if (watching) {
                readAhead += buf.readableBytes();
            }
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (watching && ctx.channel().isActive()) {
            if (readAhead < HELD_READ_AHEAD_BYTES) {
                ctx.read(); // below the decoder: what arrives stays queued in the MessagePerRead handler
            } else {
                watching = false;
                log.debug("{}: held request sent {} bytes ahead; no longer watching for a close",
                        ctx.channel().remoteAddress(), readAhead);
            }
        }
        ctx.fireChannelReadComplete();
    }

    /**
     * A request is held: keep a socket read outstanding so that the client closing is noticed at
     * once (the proxy's {@code channelInactive} then withdraws the request). Until {@link #stopWatching()}.
     */
    public void watchForClose() {
        watching = true;
        readAhead = 0;
        if (ctx.channel().isActive()) {
            ctx.read();
        }
    }

    /** The request is no longer held; the proxy issues reads itself again. */
    public void stopWatching() {
        watching = false;
    }

    /** A complete request head was decoded: no timeout applies until {@link #requestFinished()}. */
    public void requestStarted() {
        state = State.ACTIVE; // the timer lapses when it next fires, unless the connection is idle again by then
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
        deadline = System.nanoTime() + idleTimeoutNanos;
        armTimer();
    }

    private void armTimer() {
        if (timer == null && ctx.channel().isActive()) {
            timer = ctx.executor().schedule(this::check, checkNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** The timer fired: close a connection past its deadline, else wait for what is left. */
    private void check() {
        timer = null;
        if (state == State.ACTIVE || !ctx.channel().isActive()) {
            return;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            log.debug("closing {}: {}", ctx.channel().remoteAddress(),
                    state == State.IDLE ? "idle-timeout" : "request-header-timeout");
            ctx.close();
        } else {
            timer = ctx.executor().schedule(this::check, Math.min(left, checkNanos), TimeUnit.NANOSECONDS);
        }
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
