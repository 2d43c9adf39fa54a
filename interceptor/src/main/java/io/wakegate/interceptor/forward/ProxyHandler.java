package io.wakegate.interceptor.forward;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.wakegate.interceptor.http.ClientTimeoutsHandler;
import io.wakegate.interceptor.http.ErrorResponses;
import io.wakegate.interceptor.http.ForwardedHeaders;
import io.wakegate.interceptor.http.Reason;
import io.wakegate.interceptor.http.RequestGuard;
import io.wakegate.interceptor.routing.Route;
import io.wakegate.interceptor.routing.RouteTable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a client connection: reads one request at a time, routes it, and runs an
 * {@link Exchange} for it; when the exchange ends, reads the next request or closes.
 *
 * <p>Relies on, in order before it: {@link ClientTimeoutsHandler}, {@link ClientCodec}, a
 * {@link MessagePerRead} (so every {@code read()} yields exactly one message, however many read
 * cycles it takes) and
 * {@link RequestGuard}. The channel has auto-read off: this handler and its exchange issue every
 * read, at most one at a time, through {@link #requestRead()} — so a held request's body stays
 * unread in the socket. Confined to the connection's event loop.
 */
public final class ProxyHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ProxyHandler.class);

    private final ProxyContext shared;
    private final ClientTimeoutsHandler timeouts;
    private ChannelHandlerContext ctx;
    private Exchange exchange;
    /** A request being routed by its model, before its exchange starts. */
    private ModelRequest modelRequest;
    /** The current request's path: on OpenAI's API, errors take OpenAI's shape (decided only for errors). */
    private String requestPath = "/";
    private boolean readPending;
    /**
     * The exchanges' timer (stream idle and response-header timeouts, see {@code Exchange}): at
     * most one pending, never cancelled while the connection lives, re-armed by the exchange it
     * finds current when it fires, so keep-alive requests schedule nothing.
     */
    private ScheduledFuture<?> timer;
    /** nanoTime the pending {@link #timer} fires. */
    private long timerAt;

    public ProxyHandler(ProxyContext shared, ClientTimeoutsHandler timeouts) {
        this.shared = shared;
        this.timeouts = timeouts;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        clientAddress = clientAddressOf();
        requestRead();
        super.channelActive(ctx);
    }

    /** Asks for the next inbound message unless a read is already outstanding. */
    void requestRead() {
        if (!readPending) {
            readPending = true;
            ctx.read();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        readPending = false;
        if (msg instanceof HttpRequest request) {
            if (exchange != null || modelRequest != null) {
                // Cannot happen with one read at a time; never let two exchanges share a connection.
                ReferenceCountUtil.release(msg);
                ctx.close();
                return;
            }
            onRequest(request);
        } else if (msg instanceof HttpContent content) {
            if (modelRequest != null) {
                modelRequest.onContent(content);
            } else if (exchange != null && exchange.wantsContent()) {
                exchange.onClientContent(content);
            } else {
                // The rest of a request already answered (the empty last content of a bodyless
                // request that got an error): drop it and go on to the next request.
                content.release();
                if (exchange == null && ctx.channel().isActive()) {
                    requestRead();
                }
            }
        } else {
            ReferenceCountUtil.release(msg);
            requestRead();
        }
    }

    private void onRequest(HttpRequest request) {
        timeouts.requestStarted();
        String target = request.uri();
        String host = request.headers().get(HttpHeaderNames.HOST);
        String originForm = target;
        if (!target.startsWith("/")) {
            originForm = "*".equals(target) ? "*" : originForm(target);
        }
        String path = "*".equals(originForm) ? "/" : originForm;
        boolean clientKeepAlive = HttpUtil.isKeepAlive(request) && !shared.draining().getAsBoolean();
        boolean bodyless = !HttpUtil.isTransferEncodingChunked(request)
                && HttpUtil.getContentLength(request, 0L) == 0L;

        Head head = new Head(request, host, originForm, path, clientKeepAlive, bodyless);
        requestPath = path;
        RouteTable table = shared.routes().get();
        if (table.needsModel(host, path, request.headers())) {
            modelRequest = new ModelRequest(this, ctx, shared, head);
            modelRequest.start();
            return;
        }
        Route route = table.match(host, path, request.headers());
        if (route == null) {
            shared.metrics().rejectedUnrouted(Reason.NO_ROUTE);
            sendError(Reason.NO_ROUTE, null, clientKeepAlive && bodyless, 0, false);
            return;
        }
        forward(route, head, null);
    }

    /**
     * A request head, as read and before it is rewritten for a backend.
     *
     * @param originForm the target in origin form ({@code *} for an asterisk-form OPTIONS)
     * @param path       what routing sees: the origin form, {@code /} for {@code *}
     */
    record Head(HttpRequest request, String host, String originForm, String path, boolean keepAlive,
                boolean bodyless) {
    }

    /**
     * Starts the exchange of a routed request; {@code readAhead} is the start of its body, read
     * to route it by model (null when none was read).
     */
    void forward(Route route, Head head, ModelReadAhead readAhead) {
        modelRequest = null;
        HttpRequest request = head.request();
        HttpMethod method = request.method();
        HttpVersion version = request.protocolVersion();
        boolean upgrade = ForwardedHeaders.prepareRequest(request, head.originForm(), clientAddress,
                shared.settings().upgrades());
        exchange = new Exchange(this, ctx, shared, route, request, method, version, head.keepAlive(),
                head.bodyless(), upgrade, readAhead);
        exchange.start();
    }

    /** The path and query of an absolute-form target (RequestGuard has checked its authority). */
    private static String originForm(String absolute) {
        int schemeEnd = absolute.indexOf("://");
        int pathStart = schemeEnd < 0 ? -1 : absolute.indexOf('/', schemeEnd + 3);
        if (pathStart < 0) {
            int query = schemeEnd < 0 ? -1 : absolute.indexOf('?', schemeEnd + 3);
            return query < 0 ? "/" : "/" + absolute.substring(query);
        }
        return absolute.substring(pathStart);
    }

    /** The peer's IP as text, computed once per connection. */
    private String clientAddress = "unknown";

    private String clientAddressOf() {
        SocketAddress remote = ctx.channel().remoteAddress();
        if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress();
        }
        return "unknown";
    }

    /** Sends a Wakegate error response; ends the exchange, if any. */
    void sendError(Reason reason, String route, boolean keepAlive, long retryAfterSeconds, boolean coldStart) {
        sendError(reason, null, route, keepAlive, retryAfterSeconds, coldStart);
    }

    /** As {@link #sendError(Reason, String, boolean, long, boolean)} with {@code detail} for the message. */
    void sendError(Reason reason, String detail, String route, boolean keepAlive, long retryAfterSeconds,
                   boolean coldStart) {
        answer(ErrorResponses.create(ctx.alloc(), reason, detail, route, keepAlive, retryAfterSeconds, coldStart,
                ErrorResponses.isOpenAiPath(requestPath)), keepAlive);
    }

    /** Sends a response of Wakegate's own, ending the request; then reads the next or closes. */
    void answer(FullHttpResponse response, boolean keepAlive) {
        exchange = null;
        modelRequest = null;
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        ctx.writeAndFlush(response)
                .addListener((ChannelFutureListener) f -> {
                    if (keepAlive && f.isSuccess()) {
                        timeouts.requestFinished();
                        requestRead();
                    } else {
                        f.channel().close();
                    }
                });
    }

    /**
     * Makes the connection's timer fire within {@code delayNanos}: a pending one that fires by
     * then is kept; one that would fire later is replaced (rare: the deadlines only shorten when a
     * route's response-header timeout is below the stream idle timeout of the previous exchange).
     */
    void armTimer(long delayNanos) {
        armTimer(System.nanoTime(), delayNanos);
    }

    /** As {@link #armTimer(long)}, with the caller's reading of {@code System.nanoTime()}. */
    void armTimer(long nowNanos, long delayNanos) {
        long at = nowNanos + delayNanos;
        if (timer != null) {
            if (timerAt - at <= 0) {
                return;
            }
            timer.cancel(false);
        }
        timerAt = at;
        timer = ctx.executor().schedule(this::timerFired, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void timerFired() {
        timer = null;
        Exchange current = exchange;
        if (current != null) {
            current.checkTimeouts(); // re-arms while it has deadlines; with none the timer lapses
        }
    }

    /**
     * Wakegate reads this request's body itself before any backend has it (for its model, or its
     * stream flag while held): answers an {@code Expect: 100-continue} here, so the client sends it.
     */
    void answerExpectContinue(HttpRequest request) {
        if (HttpUtil.is100ContinueExpected(request)) {
            request.headers().remove(HttpHeaderNames.EXPECT);
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
                    Unpooled.EMPTY_BUFFER));
        }
    }

    /** Reads are small (true) while a body is read only as far as its model, or as usual (false). */
    void smallReads(boolean small) {
        timeouts.held(small);
    }

    /** The request is held (true) or no longer held (false): watch the client for a close meanwhile. */
    void held(boolean held) {
        if (held) {
            timeouts.watchForClose();
        } else {
            timeouts.stopWatching();
        }
    }

    /** The exchange finished with the response's last byte written. */
    void exchangeEnded(boolean keepAlive) {
        exchange = null;
        if (keepAlive && !shared.draining().getAsBoolean() && ctx.channel().isActive()) {
            timeouts.requestFinished();
            requestRead();
        } else {
            ctx.close();
        }
    }

    /**
     * The exchange switched protocols: this connection now relays raw bytes to {@code backend}.
     * Called on the event loop once the 101 has been written.
     */
    void becomeTunnel(Channel backend, Runnable onClose) {
        exchange = null;
        timeouts.disable();
        ChannelPipeline p = ctx.pipeline();
        p.replace(this, "tunnel", new TunnelHandler(backend, onClose));
        p.addBefore("tunnel", "tunnel-idle", TunnelHandler.idleHandler(shared.settings().streamIdleTimeout()));
        p.remove(RequestGuard.class);
        p.remove(ClientCodec.class);
        if (!ctx.channel().isActive()) {
            onClose.run();
        }
    }

    /** Whether a request is being handled; the server drains until no connection has one. */
    public boolean busy() {
        return exchange != null || modelRequest != null;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        Exchange current = exchange;
        exchange = null;
        if (current != null) {
            current.clientClosed();
        }
        ModelRequest reading = modelRequest;
        modelRequest = null;
        if (reading != null) {
            reading.clientClosed();
        }
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("client connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            log.warn("client connection {} failed", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }

}
