package io.wakegate.interceptor.forward;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.wakegate.interceptor.config.Durations;
import io.wakegate.interceptor.config.FailoverConfig;
import io.wakegate.interceptor.config.WaitingPageConfig;
import io.wakegate.interceptor.demand.DemandCounter;
import io.wakegate.interceptor.hold.FailoverBackend;
import io.wakegate.interceptor.hold.Lease;
import io.wakegate.interceptor.hold.RouteGate;
import io.wakegate.interceptor.hold.Ticket;
import io.wakegate.interceptor.http.ForwardedHeaders;
import io.wakegate.interceptor.http.Reason;
import io.wakegate.interceptor.http.WaitingPage;
import io.wakegate.interceptor.routing.Route;
import io.wakegate.interceptor.routing.RoutePolicy;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP/1 request relayed: a {@link Ticket} from the route's gate (admitted at once or held),
 * a backend connection for its {@link Lease}, the request head and body relayed, the response
 * relayed back — or a tunnel after a 101.
 *
 * <p>States: {@code HELD → CONNECTING → FORWARDING → DONE}, with {@code TUNNEL} after a 101;
 * {@code CONNECTING} goes back to {@code HELD} once when no ready endpoint accepts the connection
 * (or the failover backend refuses it). Confined to the client connection's event loop (the
 * backend connection shares it); ticket callbacks arrive there.
 *
 * <p>While held, the route decides what the client sees ({@link #holdStarted}): an early SSE head
 * and keep-alives ({@link EarlyStream}), the waiting page, or a failover to another backend.
 *
 * <p>Every ending goes through {@link #end}, once, with one {@link Ending}: it withdraws the
 * ticket, gives back or closes the backend connection, releases the lease, records the outcome
 * and settles the client connection.
 */
final class Exchange implements Ticket.Holder, ChannelFutureListener {

    private static final Logger log = LoggerFactory.getLogger(Exchange.class);

    private enum State { NEW, HELD, CONNECTING, FORWARDING, TUNNEL, DONE }

    /** What an ending does to the client connection. */
    private enum Ending {
        /** The response's last byte reached the client: read the next request, or close. */
        COMPLETED,
        /** Wakegate answers with an error response; becomes {@link #CLOSED} once the response started. */
        ANSWERED,
        /** Cut: the response broke off, or the client left. */
        CLOSED,
        /** The tunnel after a 101 closed: both sides close after flushing. */
        TUNNEL_CLOSED,
        /** A browser gets the waiting page; the wake goes on without the request. */
        WAITING_PAGE
    }

    /** Answers of a failover backend say so. */
    static final AsciiString FAILOVER_HEADER = AsciiString.cached("x-wakegate-failover");
    /** While the failover backend is not ready, a request due to fail over checks again this often. */
    private static final long FAILOVER_RECHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final ProxyHandler connection;
    private final ChannelHandlerContext clientCtx;
    private final ProxyContext shared;
    private final Route route;
    private final RoutePolicy policy;
    private final HttpRequest request;
    private final HttpMethod method;
    private final HttpVersion clientVersion;
    private final boolean clientKeepAlive;
    private final boolean bodyless;
    private final boolean upgrade;
    private final long startNanos = System.nanoTime();
    /** The start of the body, read to route by model: forwarded right after the head. Null once written. */
    private ModelReadAhead readAhead;

    private State state = State.NEW;
    private Ticket ticket;
    private Lease lease;
    private Channel backend;
    /** The handler of {@link #backend}, for its write listener. */
    private BackendHandler backendHandler;
    /**
     * nanoTime by which the response head must come: set when the request's last byte was sent,
     * 0 while no such deadline applies. Checked by the exchange's one timer ({@link #checkTimeouts}).
     */
    private long headDeadline;
    private boolean coldStart;
    /** Connects failed on every endpoint tried and the request went back to the queue; once only. */
    private boolean heldAgain;
    private boolean requestHeadSent;
    private boolean requestComplete;
    private boolean responseStarted;
    private boolean informational;
    private boolean backendKeepAlive;
    private boolean clientKeepAliveAfter;
    private int status;
    private long requestBodyBytes;
    /** The request's end was written right behind its head, in one flush (a bodyless request). */
    private boolean endSentWithHead;
    /** The backend connection came from the pool: a failure before any response byte may be staleness. */
    private boolean reusedConnection;
    /** A stale pooled connection was already replaced once; the next failure is real. */
    private boolean staleRetried;
    /** The request head's write to the backend is in flight: the next write completion is its. */
    private boolean headPending;
    /** Writes to the backend not completed yet: a connection with one is never pooled (its completion would reach the next exchange). */
    private int backendWritesPending;
    /**
     * The write of the response's last message to the client, once it was handed over (see
     * {@link #responseComplete}): its completion completes the exchange.
     */
    private ChannelFuture lastClientWrite;
    /** A small fixed-length response's head, waiting to leave with its body (null otherwise). */
    private HttpResponse smallResponseHead;
    /** nanoTime of the last message relayed either way, for the stream idle timeout. */
    private long lastActivityNanos;

    // ---- what a held client sees (hold.streamKeepAlive, waitingPage, failover) ----
    /** nanoTime the request started waiting; 0 while it has not. */
    private long heldSinceNanos;
    /** The next step for a held request: the waiting page or a failover; null when none is due. */
    private ScheduledFuture<?> holdTimer;
    /** Early headers and keep-alives for a held request that streams; null for any other. */
    private EarlyStream early;
    /** The backend's success is relayed into the early stream (its head was not sent). */
    private boolean relayingEarly;
    /** The backend's error status is being turned into the early stream's error event. */
    private boolean collectingError;
    /** The request went to the route's failover backend (and was not refused there). */
    private boolean failedOver;
    /** Why it did: held too long (false) or over a full queue (true); counted once the failover answers. */
    private boolean failoverOnQueueFull;
    /** The request's own values of the headers a failover set (null: absent), to undo a refused failover. */
    private java.util.Map<String, String> headersBeforeFailover;
    /** The body is read while held, for its "stream" flag (small reads). */
    private boolean peekingWhileHeld;

    /**
     * @param request the client's request head, already rewritten for the backend
     */
    Exchange(ProxyHandler connection, ChannelHandlerContext clientCtx, ProxyContext shared, Route route,
             HttpRequest request, HttpMethod method, HttpVersion clientVersion, boolean clientKeepAlive,
             boolean bodyless, boolean upgrade, ModelReadAhead readAhead) {
        this.connection = connection;
        this.clientCtx = clientCtx;
        this.shared = shared;
        this.route = route;
        this.policy = route.policy();
        this.request = request;
        this.method = method;
        this.clientVersion = clientVersion;
        this.clientKeepAlive = clientKeepAlive;
        this.bodyless = bodyless;
        this.upgrade = upgrade;
        this.readAhead = readAhead;
        if (readAhead != null) {
            requestBodyBytes = readAhead.size();
        }
    }

    /** Asks the gate for an endpoint: forward now, hold, or reject. */
    void start() {
        route.demand().arrived();
        admit();
    }

    private void admit() {
        admit(policy.coldStartTimeout());
    }

    private void admit(Duration coldStartTimeout) {
        Ticket t = route.gate().admit(clientCtx.executor(), coldStartTimeout, this);
        if (state == State.DONE || lease != null || t.state() != Ticket.State.WAITING) {
            return; // decided at once: admitted, answered, or failed over when the queue was full
        }
        ticket = t;
        state = State.HELD;
        // With auto-read off a client's close goes unnoticed unless something reads: watch for it,
        // so an abandoned request leaves the queue at once (clientClosed) instead of at the timeout.
        connection.held(true);
        if (heldSinceNanos == 0) {
            heldSinceNanos = System.nanoTime();
        }
        holdStarted();
    }

    /**
     * The request is held: arrange what its client sees meanwhile, as its route asks — a
     * waiting page for a browser, early SSE headers and keep-alives for a stream, a failover.
     */
    private void holdStarted() {
        if (policy.waitingPage() != null && WaitingPage.wanted(request)) {
            scheduleHoldStep(policy.waitingPage().after().toNanos());
        } else if (policy.streamKeepAlive() != null && clientVersion.equals(HttpVersion.HTTP_1_1) && !upgrade
                && !method.equals(HttpMethod.HEAD) && early == null) {
            watchForStream();
        }
        if (policy.failoverAfter() != null && route.failover() != null && !failedOver) {
            scheduleHoldStep(policy.failoverAfter().toNanos() - (System.nanoTime() - heldSinceNanos));
        }
        if (readAhead != null && !peekingWhileHeld) {
            readAhead.stopPeeking(); // nothing more to learn from the body: give the parser back
        }
    }

    /** Whether the request asks for a stream: SSE accepted, or {@code "stream": true} in its body. */
    private void watchForStream() {
        String accept = request.headers().get(HttpHeaderNames.ACCEPT);
        if (accept != null && accept.contains("text/event-stream") && !accept.contains("application/json")) {
            startEarlyStream(); // an SSE client; one that takes JSON too (MCP) says so in its body, if at all
            return;
        }
        if (readAhead == null) {
            if (bodyless || !ModelRequest.mayBeJson(request)
                    || request.headers().contains(HttpHeaderNames.CONTENT_ENCODING)) {
                return;
            }
            connection.answerExpectContinue(request); // the body is read now, while held
            readAhead = new ModelReadAhead(clientCtx.alloc(), shared.readAhead(), shared.settings().modelReadAhead(),
                    true);
        }
        readAhead.lookForStream();
        if (Boolean.TRUE.equals(readAhead.stream())) {
            startEarlyStream();
        } else if (readAhead.peeking()) {
            // Read the body as far as its "stream" flag, in small reads; what is read is forwarded first.
            peekingWhileHeld = true;
            connection.smallReads(true);
            connection.requestRead();
        }
    }

    private void startEarlyStream() {
        String model = readAhead != null ? readAhead.peek().model() : null;
        early = new EarlyStream(clientCtx, policy.streamKeepAlive(),
                model != null ? "model " + model : "route " + route.name(), heldSinceNanos,
                route.metrics()::keepAliveStream);
        // What follows an early head must be an event stream as sent: no compressed body under it.
        request.headers().set(HttpHeaderNames.ACCEPT_ENCODING, HttpHeaderValues.IDENTITY);
        early.start();
    }

    /** Stops reading the body for its "stream" flag: what was read waits to be forwarded. */
    private void stopPeekingWhileHeld() {
        if (peekingWhileHeld) {
            peekingWhileHeld = false;
            connection.smallReads(false);
        }
        if (readAhead != null) {
            readAhead.stopPeeking();
        }
    }

    private void scheduleHoldStep(long delayNanos) {
        long delay = Math.max(0, delayNanos);
        if (holdTimer != null) {
            if (holdTimer.getDelay(TimeUnit.NANOSECONDS) <= delay) {
                return;
            }
            holdTimer.cancel(false);
        }
        holdTimer = clientCtx.executor().schedule(this::holdStep, delay, TimeUnit.NANOSECONDS);
    }

    /** A held request's waiting page or failover is due. */
    private void holdStep() {
        holdTimer = null;
        if (state != State.HELD) {
            return;
        }
        long held = System.nanoTime() - heldSinceNanos;
        WaitingPageConfig page = policy.waitingPage();
        if (page != null && WaitingPage.wanted(request)) {
            if (held < page.after().toNanos()) {
                scheduleHoldStep(page.after().toNanos() - held);
            } else if (route.gate().readyEndpoints().isEmpty()) {
                end(Ending.WAITING_PAGE, Reason.WAKING);
                return;
            } // else warm and waiting for a free slot: it will be served soon, so it waits like any request
        }
        Duration failoverAfter = policy.failoverAfter();
        if (failoverAfter != null && !failedOver) {
            if (held < failoverAfter.toNanos()) {
                scheduleHoldStep(failoverAfter.toNanos() - held);
            } else if (!failover(false)) {
                scheduleHoldStep(FAILOVER_RECHECK_NANOS); // not ready: stay held, look again soon
            }
        }
    }

    /**
     * Sends the request to the route's failover backend instead of holding or refusing it; false
     * when there is none or it has no ready endpoint (then nothing changed).
     */
    private boolean failover(boolean onQueueFull) {
        FailoverBackend target = route.failover();
        Lease failoverLease = target == null ? null : target.lease(clientCtx.executor(), route.demand());
        if (failoverLease == null) {
            return false;
        }
        FailoverConfig config = target.config(); // its header names and values are checked HTTP
        headersBeforeFailover = new LinkedHashMap<>();
        headersBeforeFailover.put(HttpHeaderNames.HOST.toString(), request.headers().get(HttpHeaderNames.HOST));
        config.headers().keySet().forEach(name -> headersBeforeFailover.put(name, request.headers().get(name)));
        request.headers().set(HttpHeaderNames.HOST, config.url().getAuthority());
        config.headers().forEach((name, value) -> request.headers().set(name, value));
        if (ticket != null) {
            ticket.cancel(); // leaves the queue; the wake it started goes on
        }
        failedOver = true;
        failoverOnQueueFull = onQueueFull;
        log.info("route {}: request {} goes to the failover backend {}", route.name(),
                onQueueFull ? "over the full hold queue" : "held " + Durations.format(
                        Duration.ofNanos(System.nanoTime() - heldSinceNanos)), failoverLease.endpoint());
        if (early != null) {
            early.comment("sending the request to the failover backend while the " + early.waitingFor() + " wakes");
        }
        admitted(failoverLease);
        return true;
    }

    /** Gives the request back the headers a failover replaced. */
    private void restoreHeaders() {
        headersBeforeFailover.forEach((name, value) -> {
            if (value == null) {
                request.headers().remove(name);
            } else {
                request.headers().set(name, value);
            }
        });
        headersBeforeFailover = null;
    }

    /**
     * The failover backend refused the connection before any byte was sent: the request is its
     * route's again — its own headers back, held for what is left of its cold-start timeout,
     * and free to fail over again once the failover is ready.
     */
    private void failoverRefused(Throwable cause) {
        log.info("route {}: the failover backend {} refused the connection ({}); the request waits for its route"
                + " again, for the rest of its cold-start timeout", route.name(), lease.endpoint(), cause.toString());
        Lease refused = lease;
        lease = null;
        Lease next = refused.trade();
        if (next != null) {
            next.release(); // another failover endpoint: keep it simple, hold and fail over again later
        }
        restoreHeaders();
        failedOver = false;
        coldStart = false;
        reusedConnection = false;
        staleRetried = false;
        if (heldSinceNanos == 0) {
            heldSinceNanos = System.nanoTime(); // failed over at once, over a full queue: its wait starts now
        }
        long left = policy.coldStartTimeout().toNanos() - (System.nanoTime() - heldSinceNanos);
        if (left <= 0) {
            end(Ending.ANSWERED, Reason.COLD_START_TIMEOUT);
            return;
        }
        admit(Duration.ofNanos(left));
    }

    // ---- ticket callbacks (on the client's event loop) ----

    @Override
    public void admitted(Lease lease) {
        if (state == State.DONE) {
            lease.release();
            return;
        }
        this.lease = lease;
        stopHolding();
        connect();
    }

    @Override
    public void rejected(Reason reason) {
        if (reason == Reason.QUEUE_FULL && policy.failoverOnQueueFull() && !failedOver && failover(true)) {
            return;
        }
        stopHolding();
        end(Ending.ANSWERED, reason);
    }

    private void stopHolding() {
        if (state == State.HELD) {
            coldStart = true;
            connection.held(false);
        }
        if (holdTimer != null) {
            holdTimer.cancel(false);
            holdTimer = null;
        }
        stopPeekingWhileHeld();
    }

    // ---- connecting ----

    private void connect() {
        connect(false);
    }

    /** @param fresh bypass the pool: the pooled connection just used turned out stale */
    private void connect(boolean fresh) {
        state = State.CONNECTING;
        Lease target = lease;
        ChannelFuture future = fresh ? shared.pools().connect(clientCtx.channel().eventLoop(), target.endpoint())
                : shared.pools().acquire(clientCtx.channel().eventLoop(), target.endpoint());
        if (future.isDone()) {
            connected(future, target);
        } else {
            future.addListener((ChannelFutureListener) f -> connected(f, target));
        }
    }

    private void connected(ChannelFuture future, Lease target) {
        if (state != State.CONNECTING || lease != target) {
            if (future.isSuccess()) {
                shared.pools().release(future.channel(), target.endpoint()); // clean: no byte was sent
            }
            return;
        }
        if (!future.isSuccess()) {
            connectFailed(future.cause());
            return;
        }
        backend = future.channel();
        backendHandler = BackendHandler.of(backend);
        reusedConnection = backendHandler.reused();
        backendHandler.attach(this);
        ChannelFutureListener written = backendHandler.writtenListener();
        state = State.FORWARDING;
        touch();
        startIdleTimer();
        if (bodyless && !upgrade && readAhead == null) {
            // No body: the head and the request's end go as one message — one encoding, one write,
            // one flush. The client's own (empty) end is left unread; the connection drops it
            // before its next request.
            requestComplete = true;
            endSentWithHead = true;
            headPending = true;
            backendWritesPending++;
            backend.writeAndFlush(new DefaultFullHttpRequest(request.protocolVersion(), request.method(),
                    request.uri(), Unpooled.EMPTY_BUFFER, request.headers(), EmptyHttpHeaders.INSTANCE))
                    .addListener(written);
            return;
        }
        endSentWithHead = false;
        headPending = true;
        backendWritesPending++;
        backend.writeAndFlush(request).addListener(written);
    }

    /**
     * A write to the backend completed (through its connection's one listener, {@link
     * BackendHandler#writtenListener}): the head's, or a body message's. They complete in the
     * order written, and a body message is written only once the one before it is.
     */
    void backendWritten(ChannelFuture f) {
        backendWritesPending--;
        if (headPending) {
            headPending = false;
            headWritten(f);
        } else {
            contentWritten(f);
        }
    }

    private void headWritten(ChannelFuture f) {
        if (state != State.FORWARDING || f.channel() != backend) {
            return;
        }
        if (!f.isSuccess()) {
            // Nothing reached the backend. A pooled connection that closed under us says nothing
            // about the endpoint: retry once on a fresh connection to it. A new connection that
            // cannot take a write is a failed endpoint: try another.
            Channel dead = backend;
            detachBackend();
            dead.close();
            if (retryStale()) {
                return;
            }
            state = State.CONNECTING;
            connectFailed(f.cause());
            return;
        }
        requestHeadSent = true;
        backend.read();          // the response may start before the body is sent (100-continue, errors)
        if (endSentWithHead) {
            if (!responseStarted) {
                awaitResponseHead(); // the end went out with the head
            }
        } else if (readAhead != null) {
            relayReadAhead();
        } else if (!requestComplete) {
            connection.requestRead(); // the body, or the empty last content of a bodyless request
        } else {
            // A retry after a stale connection: the client's (empty) last content went to the old
            // one. The new connection needs it too, or its encoder stays mid-message.
            relayToBackend(LastHttpContent.EMPTY_LAST_CONTENT);
        }
    }

    /**
     * Replaces a stale pooled connection with a fresh one to the same endpoint, once, when nothing
     * of the request can have been consumed: returns whether it did.
     */
    private boolean retryStale() {
        if (!reusedConnection || staleRetried || responseStarted) {
            return false;
        }
        staleRetried = true;
        headDeadline = 0; // set for the old connection; the new one sets its own
        log.debug("route {}: pooled connection to {} was stale; retrying on a new connection", route.name(),
                lease.endpoint());
        connect(true);
        return true;
    }

    /** Methods a server must treat as safe to repeat (RFC 9110 §9.2.2), minus the ones with bodies. */
    private boolean isIdempotent() {
        return method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD) || method.equals(HttpMethod.OPTIONS);
    }

    private void touch() {
        lastActivityNanos = System.nanoTime();
    }

    /**
     * The exchange's one timer, for both of its timeouts: an exchange that moved no byte for
     * {@code streamIdleTimeout} ends (a stalled upload gets 408, a stalled response is cut), and a
     * request sent completely gets its response head within {@code responseHeaderTimeout} (504;
     * while it waits, the idle timeout does not apply). It first fires after the shorter of the
     * two and re-arms itself for what is left, so moving data or sending the last byte schedules
     * nothing. The timer is the connection's ({@link ProxyHandler#armTimer}) and outlives the
     * exchange: the next request on a keep-alive connection schedules nothing either.
     */
    private void startIdleTimer() {
        // Called right after touch(): its reading of the clock is now.
        connection.armTimer(lastActivityNanos, Math.min(shared.settings().streamIdleTimeout().toNanos(),
                policy.responseHeaderTimeout().toNanos()));
    }

    /** The connection's timer fired while this exchange is its current one. */
    void checkTimeouts() {
        if (state != State.FORWARDING) {
            return;
        }
        long now = System.nanoTime();
        long idleTimeout = shared.settings().streamIdleTimeout().toNanos();
        long headTimeout = policy.responseHeaderTimeout().toNanos();
        boolean awaitingHead = requestComplete && !responseStarted && headDeadline != 0;
        long next;
        if (awaitingHead) {
            if (now - headDeadline >= 0) {
                log.warn("route {}: {} sent no response head within {}; answering 504", route.name(),
                        lease.endpoint(), Durations.format(policy.responseHeaderTimeout()));
                end(Ending.ANSWERED, Reason.RESPONSE_HEADER_TIMEOUT);
                return;
            }
            next = headDeadline - now;
        } else {
            long idle = now - lastActivityNanos;
            if (idle >= idleTimeout) {
                log.warn("route {}: nothing moved for {}; ending the exchange", route.name(),
                        Durations.format(shared.settings().streamIdleTimeout()));
                end(Ending.ANSWERED, responseStarted ? Reason.BACKEND_FAILED : Reason.REQUEST_TIMEOUT);
                return;
            }
            next = Math.min(idleTimeout - idle, headTimeout);
        }
        connection.armTimer(next);
    }

    private void connectFailed(Throwable cause) {
        log.debug("route {}: connecting to {} failed: {}", route.name(), lease.endpoint(), cause.toString());
        if (failedOver) {
            failoverRefused(cause);
            return;
        }
        lease = lease.trade();
        if (lease == null && !heldAgain) {
            // Refused before any byte was sent: the endpoint is not ready (a crash not yet noticed).
            // Wait for one that is, as if the request had just arrived.
            heldAgain = true;
            log.info("route {}: no ready endpoint accepted a connection ({}); holding the request again",
                    route.name(), cause.toString());
            admit();
            return;
        }
        if (lease == null) {
            log.warn("route {}: could not connect to a ready endpoint ({}); answering 502", route.name(),
                    cause.toString());
            end(Ending.ANSWERED, Reason.CONNECT_FAILED);
            return;
        }
        connect();
    }

    // ---- request body (client → backend) ----

    /** Whether the exchange takes the client's next body message. */
    boolean wantsContent() {
        return readAhead != null && !readAhead.complete() && state != State.DONE
                || (state == State.FORWARDING || state == State.CONNECTING && requestHeadSent) && !requestComplete;
    }

    void onClientContent(HttpContent content) {
        touch();
        if (readAhead == null && backend == null) {
            // Reconnecting after a stale connection, which happens only for bodyless requests:
            // this is their empty last content.
            requestComplete = content instanceof LastHttpContent;
            content.release();
            return;
        }
        if (content.decoderResult().isFailure()) {
            content.release();
            end(Ending.ANSWERED, Reason.BAD_REQUEST);
            return;
        }
        requestBodyBytes += content.content().readableBytes();
        if (requestBodyBytes > shared.settings().maxRequestBodySize()) {
            content.release();
            end(Ending.ANSWERED, Reason.BODY_TOO_LARGE);
            return;
        }
        if (readAhead != null) {
            readAheadWhileHeld(content);
            return;
        }
        if (content instanceof LastHttpContent) {
            requestComplete = true;
        }
        relayToBackend(content);
    }

    /**
     * A body message read before the request went out — while held, for the body's "stream" flag:
     * it joins what is read ahead (kept, even past the budget) and is forwarded with it.
     */
    private void readAheadWhileHeld(HttpContent content) {
        readAhead.add(content, true); // decoded and within the body limit: onClientContent checked
        if (Boolean.TRUE.equals(readAhead.stream()) && early == null && state == State.HELD) {
            startEarlyStream();
        }
        if (state == State.HELD && peekingWhileHeld && readAhead.peeking()) {
            connection.requestRead();
        } else {
            stopPeekingWhileHeld();
        }
    }

    /** Writes what was read to route the request by model; its budget is given back once written. */
    private void relayReadAhead() {
        ModelReadAhead written = readAhead;
        readAhead = null;
        HttpContent content = written.take();
        requestComplete = content instanceof LastHttpContent;
        relayToBackend(content).addListener(f -> written.release());
    }

    /** Writes request content; reads the next once written, or arms the response-header timer after the last. */
    private ChannelFuture relayToBackend(HttpContent content) {
        backendWritesPending++;
        return backend.writeAndFlush(content).addListener(backendHandler.writtenListener());
    }

    /** A body message reached the backend: read the next, or after the last, await the response head. */
    private void contentWritten(ChannelFuture f) {
        if (!f.isSuccess()) {
            f.channel().close(); // a failed write leaves the connection unusable; its close ends the exchange
            return;
        }
        if (state != State.FORWARDING || f.channel() != backend) {
            return;
        }
        if (!requestComplete) {
            connection.requestRead(); // one body message in flight at a time: this was not the last
        } else if (!responseStarted) {
            awaitResponseHead();
        }
    }

    /** The request's last byte was sent: its response head is due within {@code responseHeaderTimeout}. */
    private void awaitResponseHead() {
        headDeadline = System.nanoTime() + policy.responseHeaderTimeout().toNanos();
        if (headDeadline == 0) {
            headDeadline = 1; // 0 is "no deadline"; nanoTime may be anything, including this
        }
    }

    // ---- response (backend → client) ----

    void onBackendRead(Object msg) {
        if (state != State.FORWARDING || responseComplete()) { // nothing after its end belongs to the response
            ReferenceCountUtil.release(msg);
            return;
        }
        touch();
        if (msg instanceof HttpResponse response) {
            onResponseHead(response);
        } else if (msg instanceof HttpContent content) {
            onResponseContent(content);
        } else {
            ReferenceCountUtil.release(msg);
            backend.read();
        }
    }

    private void onResponseHead(HttpResponse response) {
        if (response.decoderResult().isFailure()) {
            ReferenceCountUtil.release(response);
            log.warn("route {}: invalid response from {}: {}", route.name(), lease.endpoint(),
                    response.decoderResult().cause());
            end(Ending.ANSWERED, Reason.BACKEND_FAILED);
            return;
        }
        int code = response.status().code();
        if (code == 101) {
            if (upgrade) {
                startTunnel(response);
                return;
            }
            // Switching protocols nobody asked for: the connection is no longer HTTP we can relay.
            ReferenceCountUtil.release(response);
            log.warn("route {}: {} answered 101 to a request that asked for no upgrade", route.name(),
                    lease.endpoint());
            end(Ending.ANSWERED, Reason.BACKEND_FAILED);
            return;
        }
        if (early != null && early.headSent()) {
            onResponseHeadAfterEarly(response, code);
            return;
        }
        if (early != null) {
            early.stop(); // the backend answered before the early head was due
        }
        if (code >= 100 && code < 200) {
            informational = true; // e.g. 100 Continue: relay it, the final response follows
            ForwardedHeaders.prepareResponse(response, method, clientVersion, true, coldStart); // hop-by-hop too
            relayToClient(response, false);
            return;
        }
        clearHeadDeadline();
        responseStarted = true;
        status = code;
        backendKeepAlive = HttpUtil.isKeepAlive(response);
        // A backend that closes before it read the whole request (an early 403) leaves the rest of
        // the body unread on the client connection: that connection closes too, so say so.
        ForwardedHeaders.prepareResponse(response, method, clientVersion,
                clientKeepAlive && !shared.draining().getAsBoolean() && (requestComplete || backendKeepAlive),
                coldStart);
        clientKeepAliveAfter = ForwardedHeaders.keepsAlive(response);
        if (failedOver) {
            response.headers().set(FAILOVER_HEADER, "true");
            route.metrics().failover(failoverOnQueueFull);
        }
        if (smallFixedLength(response)) {
            // Its body follows at once and ends the response: the head waits for it, and both go
            // in one flush. A streamed or chunked response (SSE) is flushed head
            // first, so the client sees it start.
            smallResponseHead = response;
            backend.read();
            return;
        }
        relayToClient(response, false);
    }

    /**
     * The backend's head after the client got the early SSE head: an informational one is dropped
     * (the client has its final status); a 2xx event stream is relayed as the stream's body,
     * without its head; anything else becomes the stream's error event ({@link EarlyStream#answer}).
     */
    private void onResponseHeadAfterEarly(HttpResponse response, int code) {
        boolean keepAlive = HttpUtil.isKeepAlive(response);
        String type = response.headers().get(HttpHeaderNames.CONTENT_TYPE);
        boolean encoded = response.headers().contains(HttpHeaderNames.CONTENT_ENCODING);
        ReferenceCountUtil.release(response);
        if (code < 200) {
            informational = true; // dropped, and so is the empty end the decoder sends after it
            backend.read();
            return;
        }
        clearHeadDeadline();
        responseStarted = true;
        status = code;
        backendKeepAlive = keepAlive;
        clientKeepAliveAfter = clientKeepAlive && !shared.draining().getAsBoolean();
        if (failedOver) {
            route.metrics().failover(failoverOnQueueFull);
        }
        if (early.answer(code, type, encoded) == EarlyStream.Answer.RELAY) {
            relayingEarly = true;
        } else {
            collectingError = true;
            log.info("route {}: {} answered {} after the early stream head; the client gets an error event",
                    route.name(), lease.endpoint(), code);
        }
        backend.read();
    }

    /** Bodies up to this size are written to the client together with their head. */
    private static final long COALESCED_BODY_MAX = 16 * 1024;

    private static boolean smallFixedLength(HttpResponse response) {
        long length = HttpUtil.getContentLength(response, -1L);
        return length >= 0 && length <= COALESCED_BODY_MAX && !HttpUtil.isTransferEncodingChunked(response);
    }

    private void onResponseContent(HttpContent content) {
        if (content.decoderResult().isFailure()) {
            content.release();
            end(Ending.ANSWERED, Reason.BACKEND_FAILED);
            return;
        }
        boolean last = content instanceof LastHttpContent;
        HttpResponse head = smallResponseHead;
        if (head != null) {
            // Written now, flushed with the body below: one flush, and the body's buffer goes out
            // as it is (a full message would copy it into the head's). A failure closes the client.
            smallResponseHead = null;
            clientCtx.write(head, clientCtx.voidPromise());
        }
        if (last && informational && early != null && early.headSent()) {
            informational = false;
            content.release(); // the end of a dropped 1xx
            backend.read();
            return;
        }
        if (collectingError) {
            early.collect(content);
            if (!last) {
                backend.read();
                return;
            }
            lastClientWrite = early.endWithBackendError(route.name());
            lastClientWrite.addListener(this);
            return;
        }
        if (last && informational) {
            informational = false;
            relayToClient(content, false); // the end of a 1xx: the final response follows
            return;
        }
        touch();
        relayToClient(content, last);
    }

    /**
     * Writes one message to the client, the response's last when {@code last};
     * {@link #operationComplete} goes on once it is written.
     */
    private void relayToClient(Object msg, boolean last) {
        ChannelFuture write = clientCtx.writeAndFlush(msg);
        if (last) {
            lastClientWrite = write;
        }
        write.addListener(this);
    }

    /** The response's last message was handed to the client: a backend close now changes nothing. */
    private boolean responseComplete() {
        return lastClientWrite != null;
    }

    /** Whether any of the backend's response went to the client (a held small head has not). */
    private boolean clientHasResponse() {
        return responseStarted && smallResponseHead == null;
    }

    /** The exchange lets go of its backend connection: its handler no longer reports to it. */
    private void detachBackend() {
        backendHandler.attach(null);
        backendHandler = null;
        backend = null;
    }

    /**
     * A response message reached the client: read the next from the backend, or, once the last
     * message is written, the exchange is complete. Usually one is in flight at a time; when a
     * closing backend connection hands on what it held at once, several may be.
     */
    @Override
    public void operationComplete(ChannelFuture f) {
        if (!f.isSuccess()) {
            clientGone();
        } else if (responseComplete()) {
            if (f == lastClientWrite) {
                completed();
            }
        } else if (state == State.FORWARDING) {
            backend.read();
        }
    }

    /** The response's last byte reached the client. */
    private void completed() {
        if (state == State.FORWARDING) {
            end(Ending.COMPLETED, null);
        }
    }

    // ---- tunnel (after 101 Switching Protocols) ----

    private void startTunnel(HttpResponse response) {
        clearHeadDeadline();
        responseStarted = true;
        status = 101;
        state = State.TUNNEL;
        ForwardedHeaders.prepareResponse(response, method, clientVersion, true, coldStart);
        Channel b = backend;
        clientCtx.writeAndFlush(response).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                b.close();
                tunnelClosed();
                return;
            }
            Runnable onClose = this::tunnelClosed;
            ChannelPipeline bp = b.pipeline();
            bp.replace(BackendHandler.class, "tunnel", new TunnelHandler(clientCtx.channel(), onClose));
            bp.addBefore("tunnel", "tunnel-idle", TunnelHandler.idleHandler(shared.settings().streamIdleTimeout()));
            bp.remove(BackendCodec.class);
            connection.becomeTunnel(b, onClose);
            if (!b.isActive()) {
                tunnelClosed();
            }
        });
    }

    private void tunnelClosed() {
        if (state == State.TUNNEL) {
            end(Ending.TUNNEL_CLOSED, null);
        }
    }

    // ---- endings ----

    /** The backend connection closed. */
    void onBackendClosed() {
        if (state != State.FORWARDING) {
            return;
        }
        backend = null; // its handler already let go of this exchange
        backendHandler = null;
        if (responseComplete()) {
            return; // the whole response is with the client already; completed() follows its write
        }
        if (!responseStarted && bodyless && isIdempotent() && retryStale()) {
            return; // a pooled connection closed as the request went out: nothing was processed
        }
        if (clientHasResponse() && !collectingError) {
            // Too late for an error response: cut the client's stream so it sees the failure.
            log.warn("route {}: {} closed the connection mid-response; closing the client connection",
                    route.name(), lease.endpoint());
            end(Ending.CLOSED, null);
        } else {
            log.warn("route {}: {} closed the connection before {}; answering 502", route.name(), lease.endpoint(),
                    smallResponseHead != null ? "the response's body" : "responding");
            end(Ending.ANSWERED, Reason.BACKEND_FAILED);
        }
    }

    /** The client connection closed. */
    void clientClosed() {
        clientGone();
    }

    private void clientGone() {
        if (state != State.DONE && state != State.TUNNEL) {
            log.debug("route {}: client went away during the exchange", route.name());
            end(Ending.CLOSED, null); // the tunnel handlers see a close themselves
        }
    }

    /**
     * Ends the exchange, once: withdraws a waiting ticket, gives the backend connection back to
     * the pool (a complete exchange on a keep-alive connection) or closes it, releases the lease,
     * records the outcome and settles the client connection as {@code ending} says.
     *
     * @param reason the error answered, for {@link Ending#ANSWERED}
     */
    private void end(Ending ending, Reason reason) {
        if (state == State.DONE || state == State.TUNNEL && ending != Ending.TUNNEL_CLOSED) {
            return;
        }
        boolean earlyError = ending == Ending.ANSWERED && early != null && early.headSent() && !relayingEarly
                && !responseComplete();
        if (ending == Ending.ANSWERED && clientHasResponse() && !earlyError) {
            ending = Ending.CLOSED; // too late for an error response: cut the stream
        }
        stopHolding();
        state = State.DONE;
        clearHeadDeadline();
        if (early != null && !earlyError) {
            early.release();
        }
        if (ticket != null) {
            ticket.cancel(); // a waiting ticket leaves the queue; a decided one is unaffected
        }
        boolean readAheadWholeRequest = readAhead != null && readAhead.complete();
        long pageRefresh = ending == Ending.WAITING_PAGE ? pageRefreshSeconds() : 0;
        FullHttpResponse page = ending == Ending.WAITING_PAGE ? waitingPage(pageRefresh) : null; // before readAhead goes
        if (readAhead != null) {
            readAhead.release(); // never written: the bytes and their budget go back now
            readAhead = null;
        }
        Channel b = backend;
        if (b != null) {
            detachBackend();
            if (ending == Ending.COMPLETED && backendKeepAlive && requestComplete && backendWritesPending == 0) {
                shared.pools().release(b, lease.endpoint());
            } else if (ending == Ending.TUNNEL_CLOSED) {
                TunnelHandler.closeOnFlush(b);
            } else {
                b.close(); // it may be mid-request: never reuse it
            }
        }
        if (lease != null) {
            lease.release();
        }
        int finalStatus = switch (ending) {
            case COMPLETED -> status;
            case ANSWERED, WAITING_PAGE -> reason.status().code();
            case CLOSED -> responseStarted ? status : 499; // 499: the client closed the request
            case TUNNEL_CLOSED -> 101;
        };
        route.metrics().responded(finalStatus, System.nanoTime() - startNanos);
        switch (ending) {
            case COMPLETED -> connection.exchangeEnded(clientKeepAliveAfter && requestComplete);
            case ANSWERED -> {
                route.metrics().rejected(reason);
                boolean keepAlive = clientKeepAlive && !shared.draining().getAsBoolean()
                        && (requestComplete || (bodyless || readAheadWholeRequest) && !requestHeadSent);
                if (earlyError) {
                    // The client has a 200 and an event stream: the error is its last event.
                    early.endWithError(reason, route.name()).addListener((ChannelFutureListener) f -> {
                        if (f.isSuccess()) {
                            connection.exchangeEnded(keepAlive);
                        } else {
                            f.channel().close();
                        }
                    });
                } else {
                    connection.sendError(reason, route.name(), keepAlive, route.gate().retryAfterSeconds(reason),
                            coldStart);
                }
            }
            case WAITING_PAGE -> {
                route.metrics().waitingPage();
                boolean keepAlive = clientKeepAlive && !shared.draining().getAsBoolean()
                        && (bodyless || readAheadWholeRequest);
                keepDemandUntilReload(pageRefresh);
                connection.answer(page, keepAlive);
            }
            case CLOSED -> clientCtx.close();
            case TUNNEL_CLOSED -> TunnelHandler.closeOnFlush(clientCtx.channel());
        }
    }

    /**
     * The page's request left the queue, but the browser comes back with the next reload: its
     * route counts one wake meanwhile, so demand (what scales the backend) does not drop between.
     */
    private void keepDemandUntilReload(long refreshSeconds) {
        DemandCounter demand = route.demand();
        if (demand.wakeStarted()) {
            demand.signalActivation();
        }
        clientCtx.executor().schedule(demand::wakeEnded, refreshSeconds + 1, TimeUnit.SECONDS);
    }

    /** The waiting page's reload interval: the route's own, or the expected rest of the start (2–10 s). */
    private long pageRefreshSeconds() {
        WaitingPageConfig page = policy.waitingPage();
        return page.refresh() != null ? Math.max(1, page.refresh().toSeconds())
                : Math.min(Math.max(route.gate().retryAfterSeconds(Reason.WAKING), 2),
                        WaitingPage.MAX_AUTO_REFRESH_SECONDS);
    }

    /** The waiting page for this request, its timing from the route's recent cold starts. */
    private FullHttpResponse waitingPage(long refresh) {
        WaitingPageConfig page = policy.waitingPage();
        RouteGate gate = route.gate();
        long retryAfter = gate.retryAfterSeconds(Reason.WAKING);
        long elapsedNanos = gate.coldStartElapsedNanos();
        String model = readAhead != null && readAhead.peek().model() != null ? readAhead.peek().model() : route.name();
        return WaitingPage.render(clientCtx.alloc(), page.template(), route.name(), model,
                TimeUnit.NANOSECONDS.toSeconds(elapsedNanos > 0 ? elapsedNanos : System.nanoTime() - heldSinceNanos),
                TimeUnit.NANOSECONDS.toSeconds(gate.coldStarts().medianNanos()), retryAfter, refresh);
    }

    /** The response head came (or no longer matters): the response-header timeout is over. */
    private void clearHeadDeadline() {
        headDeadline = 0;
    }
}
