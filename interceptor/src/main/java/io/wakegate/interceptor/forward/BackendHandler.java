package io.wakegate.interceptor.forward;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.wakegate.interceptor.backend.Endpoint;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a backend connection: hands decoded response messages to the exchange
 * using the connection, and while the connection is parked in the pool, keeps a read pending so
 * a backend's close is noticed at once, and closes it after the idle timeout.
 *
 * <p>Relies on {@link BackendCodec} and a {@link MessagePerRead} before it; the exchange
 * calls {@code read()} for each next message, and a parked connection's read lasts until a
 * message or the close answers it. Confined to the connection's event loop.
 */
final class BackendHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(BackendHandler.class);

    private final BackendPools.LoopPool pool;
    private final Endpoint endpoint;
    private final long idleTimeoutNanos;
    private ChannelHandlerContext ctx;
    private Exchange exchange;
    /**
     * At most one idle check is scheduled, and it is never cancelled while the connection lives:
     * an exchange taking and returning the connection only moves {@link #parkedAt}, so the
     * request path schedules nothing (a timer per request costs a priority-queue insert and removal).
     */
    private ScheduledFuture<?> idleTimer;
    /** nanoTime the connection was parked; meaningful while {@code exchange == null}. */
    private long parkedAt;
    private boolean reused;
    /**
     * Every write an exchange makes on this connection reports here, to the exchange attached
     * when it completes: one listener for the connection's life instead of one per write.
     */
    private final ChannelFutureListener written = f -> {
        Exchange current = exchange;
        if (current != null) {
            current.backendWritten(f);
        }
    };

    BackendHandler(BackendPools.LoopPool pool, Endpoint endpoint, long idleTimeoutNanos) {
        this.pool = pool;
        this.endpoint = endpoint;
        this.idleTimeoutNanos = idleTimeoutNanos;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** An exchange takes the connection. */
    void attach(Exchange exchange) {
        this.exchange = exchange;
    }

    /**
     * The handler of a backend connection, or null when it has none (it became a tunnel). It is
     * the pipeline's last handler: found in one step, not by a scan of the pipeline.
     */
    static BackendHandler of(Channel channel) {
        ChannelHandler last = channel.pipeline().last();
        return last instanceof BackendHandler h ? h : channel.pipeline().get(BackendHandler.class);
    }

    /** The pool of the connection's event loop, which it goes back to. */
    BackendPools.LoopPool pool() {
        return pool;
    }

    /** The listener for the attached exchange's writes ({@link Exchange#backendWritten}). */
    ChannelFutureListener writtenListener() {
        return written;
    }

    /** Whether the connection served an exchange before (it may have been closed by the backend since). */
    boolean reused() {
        return reused;
    }

    /** The connection went back to the pool. */
    void parked() {
        reused = true;
        exchange = null;
        parkedAt = System.nanoTime();
        if (idleTimer == null) {
            scheduleIdleCheck(idleTimeoutNanos);
        }
        ctx.read(); // notice a close by the backend while idle
    }

    private void scheduleIdleCheck(long delayNanos) {
        idleTimer = ctx.executor().schedule(this::checkIdle, delayNanos, TimeUnit.NANOSECONDS);
    }

    /** Closes a connection parked for the idle timeout; otherwise checks again when it could be. */
    private void checkIdle() {
        idleTimer = null;
        if (!ctx.channel().isActive()) {
            return;
        }
        if (exchange != null) {
            scheduleIdleCheck(idleTimeoutNanos); // in use: it can be idle that long after it is parked at the earliest
            return;
        }
        long idle = System.nanoTime() - parkedAt;
        if (idle >= idleTimeoutNanos) {
            ctx.close();
        } else {
            scheduleIdleCheck(idleTimeoutNanos - idle);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Exchange current = exchange;
        if (current != null) {
            current.onBackendRead(msg);
            return;
        }
        // Nothing is expected from an idle backend connection; it cannot be trusted any more.
        ReferenceCountUtil.release(msg);
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelIdleTimer();
        pool.remove(endpoint, ctx.channel());
        Exchange current = exchange;
        exchange = null;
        if (current != null) {
            current.onBackendClosed();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("backend connection to {} failed", endpoint, cause);
        ctx.close();
    }

    private void cancelIdleTimer() {
        if (idleTimer != null) {
            idleTimer.cancel(false);
            idleTimer = null;
        }
    }
}
