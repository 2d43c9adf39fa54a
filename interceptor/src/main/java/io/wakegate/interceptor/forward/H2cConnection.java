package io.wakegate.interceptor.forward;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http2.DefaultHttp2FrameReader;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2FrameWriter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.util.ReferenceCountUtil;
import io.wakegate.interceptor.hold.Lease;
import io.wakegate.interceptor.hold.Ticket;
import io.wakegate.interceptor.http.ClientTimeoutsHandler;
import io.wakegate.interceptor.http.Reason;
import io.wakegate.interceptor.routing.Route;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An h2c (HTTP/2 prior knowledge) client connection, passed through to one backend as bytes.
 *
 * <p>Buffers what the client sends until its first HEADERS frame (with any CONTINUATIONs) is
 * complete, decodes it with Netty's HTTP/2 frame reader and HPACK decoder for {@code :authority},
 * {@code :path} and the headers, and routes the whole connection by that first request: every
 * later stream goes to the same backend (one HTTP/2 session — HPACK context, stream ids, flow
 * control — cannot be split across backends without terminating it). Then a {@link Ticket} from
 * the route's gate (admitted or held), a new backend connection for its {@link Lease}
 * ({@link BackendPools#connectRaw}, never a pooled HTTP/1.1 one), the buffered bytes written, and
 * {@link TunnelHandler}s both ways, with {@link H2cStreams} keeping the lease at the number of
 * active streams. Every ending goes through {@link #finish}, which withdraws the ticket and
 * releases the lease.
 *
 * <p>The client's preface is answered at once with an empty SETTINGS frame (see
 * {@link SettingsAckFilter}). Errors before the backend is reached are answered in HTTP/2: a
 * HEADERS frame with END_STREAM on the first stream ({@code :status}, {@code x-wakegate-reason},
 * {@code grpc-status} and {@code grpc-message}; gRPC requests also get
 * {@code content-type: application/grpc}, without which gRPC clients ignore {@code grpc-status}),
 * a GOAWAY, then the connection closes.
 *
 * <p>Added by {@link H2cDetector} in its place, after the {@link ClientTimeoutsHandler} and a
 * {@link SettingsAckFilter}; removes
 * itself when the tunnel starts. Issues its own reads (auto-read is off). Confined to the client
 * connection's event loop; ticket callbacks arrive there.
 */
final class H2cConnection extends ChannelInboundHandlerAdapter implements Ticket.Holder {

    private static final Logger log = LoggerFactory.getLogger(H2cConnection.class);

    /**
     * Bytes buffered at most before the first request head is complete; more closes the
     * connection. Once it is, a held connection reads ahead at most
     * {@link ClientTimeoutsHandler#HELD_READ_AHEAD_BYTES} more, in small reads.
     */
    static final int MAX_BUFFERED = 128 * 1024;
    /** {@code PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n}, which starts what the client sent. */
    private static final int PREFACE_LENGTH = 24;
    /** The decoded first header block, at most. */
    private static final int MAX_HEADER_LIST_SIZE = 64 * 1024;
    /** How long a rejected connection stays open after the GOAWAY for the client to read it and close. */
    private static final long LINGER_NANOS = TimeUnit.SECONDS.toNanos(1);

    private enum State { READING, HELD, CONNECTING, TUNNEL, DONE }

    private final ProxyContext shared;
    private final ClientTimeoutsHandler timeouts;
    private final Http2FrameWriter frameWriter = new DefaultHttp2FrameWriter();
    private final DefaultHttp2FrameReader reader =
            new DefaultHttp2FrameReader(new DefaultHttp2HeadersDecoder(true, MAX_HEADER_LIST_SIZE));

    private ChannelHandlerContext ctx;
    private State state = State.READING;
    /** Everything the client sent, from the preface on, until the tunnel takes it. */
    private ByteBuf buffered;
    /** Index in {@link #buffered} up to which the frame reader has consumed frames. */
    private int parsed = PREFACE_LENGTH;
    private int streamId;
    private Http2Headers firstHeaders;
    private boolean grpc;
    private boolean readPending;
    private Route route;
    private Ticket ticket;
    private Lease lease;
    private Channel backend;
    private long startNanos;
    /** What {@link #buffered} held when the connection asked the gate: the read-ahead is counted from there. */
    private int bufferedAtHold;
    /** Connects failed on every endpoint tried and the connection went back to the queue; once only. */
    private boolean heldAgain;

    H2cConnection(ProxyContext shared, ClientTimeoutsHandler timeouts) {
        this.shared = shared;
        this.timeouts = timeouts;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        buffered = ctx.alloc().buffer(4096);
        // The server preface, at once: gRPC clients send no request before they see it. The client's
        // ACK of it never reaches the backend (SettingsAckFilter).
        frameWriter.writeSettings(ctx, new Http2Settings(), ctx.newPromise());
        ctx.flush();
    }

    private void requestRead() {
        if (!readPending && ctx.channel().isActive()) {
            readPending = true;
            ctx.read();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        readPending = false;
        try {
            if (state == State.DONE || state == State.TUNNEL || !(msg instanceof ByteBuf buf)) {
                requestRead(); // after an error answer: discard until the client closes
                return;
            }
            if (buffered.readableBytes() + buf.readableBytes() > MAX_BUFFERED) {
                log.debug("h2c client {} sent more than {} bytes before the backend was reached; closing",
                        ctx.channel().remoteAddress(), MAX_BUFFERED);
                giveUp(499);
                return;
            }
            buffered.writeBytes(buf);
        } finally {
            ReferenceCountUtil.release(msg);
        }
        if (state == State.READING) {
            readFrames();
        } else if (buffered.readableBytes() - bufferedAtHold < ClientTimeoutsHandler.HELD_READ_AHEAD_BYTES) {
            requestRead(); // held or connecting: one small read ahead, to notice the client leaving
        }
        // else: no more reads until the tunnel; a close is noticed then, or at the cold-start timeout
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (buffered != null) {
            buffered.release();
            buffered = null;
        }
        frameWriter.close();
    }

    private void readFrames() {
        ByteBuf view = buffered.duplicate();
        view.readerIndex(parsed);
        try {
            reader.readFrame(ctx, view, firstHeadersListener);
        } catch (Http2Exception e) {
            log.debug("h2c client {} sent an invalid frame: {}", ctx.channel().remoteAddress(), e.toString());
            shared.metrics().rejectedUnrouted(Reason.BAD_REQUEST);
            giveUp(400);
            return;
        }
        parsed = view.readerIndex();
        if (firstHeaders != null) {
            onFirstHeaders();
        } else {
            requestRead();
        }
    }

    /** Keeps the first complete header block; the reader assembles CONTINUATIONs. */
    private final Http2FrameAdapter firstHeadersListener = new Http2FrameAdapter() {
        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                                  boolean endStream) {
            if (firstHeaders == null) {
                H2cConnection.this.streamId = streamId;
                firstHeaders = headers;
            }
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
                                  short weight, boolean exclusive, int padding, boolean endStream) {
            onHeadersRead(ctx, streamId, headers, padding, endStream);
        }
    };

    private void onFirstHeaders() {
        timeouts.disable(); // the head is complete; from here on the gate's and the tunnel's timeouts apply
        reader.close();
        CharSequence authority = firstHeaders.authority();
        if (authority == null) {
            authority = firstHeaders.get(HttpHeaderNames.HOST);
        }
        CharSequence path = firstHeaders.path();
        HttpHeaders headers = new DefaultHttpHeaders(false);
        for (Map.Entry<CharSequence, CharSequence> e : firstHeaders) {
            if (e.getKey().length() > 0 && e.getKey().charAt(0) != ':') {
                headers.add(e.getKey(), e.getValue());
            }
        }
        CharSequence contentType = firstHeaders.get(HttpHeaderNames.CONTENT_TYPE);
        grpc = contentType != null && contentType.toString().startsWith("application/grpc");
        startNanos = System.nanoTime();
        route = shared.routes().get().match(authority == null ? null : authority.toString(),
                path == null ? "/" : path.toString(), headers);
        if (route == null) {
            shared.metrics().rejectedUnrouted(Reason.NO_ROUTE);
            answer(Reason.NO_ROUTE);
            return;
        }
        route.demand().arrived();
        admit();
    }

    private void admit() {
        bufferedAtHold = buffered.readableBytes();
        timeouts.held(true); // small reads until the tunnel starts
        ticket = route.gate().admit(ctx.executor(), route.policy().coldStartTimeout(), this);
        if (ticket.state() == Ticket.State.WAITING) {
            state = State.HELD;
            requestRead();
        }
    }

    // ---- ticket callbacks (on the client's event loop) ----

    @Override
    public void admitted(Lease lease) {
        this.lease = lease;
        connect();
    }

    @Override
    public void rejected(Reason reason) {
        fail(reason);
    }

    // ---- connecting ----

    private void connect() {
        state = State.CONNECTING;
        Lease target = lease;
        ChannelFuture future = shared.pools().connectRaw(ctx.channel().eventLoop(), target.endpoint());
        future.addListener((ChannelFutureListener) f -> connected(f, target));
    }

    private void connected(ChannelFuture future, Lease target) {
        if (state != State.CONNECTING || lease != target) {
            future.channel().close(); // the client left meanwhile
            return;
        }
        if (!future.isSuccess()) {
            log.debug("route {}: h2c connect to {} failed: {}", route.name(), target.endpoint(),
                    future.cause().toString());
            lease = target.trade();
            if (lease == null && !heldAgain) {
                heldAgain = true; // not ready after all (a crash not yet noticed): wait for an endpoint that is
                log.info("route {}: no ready endpoint accepted the h2c connection; holding it again", route.name());
                admit();
            } else if (lease == null) {
                log.warn("route {}: could not connect to a ready endpoint ({}); answering 502 on h2c",
                        route.name(), future.cause().toString());
                fail(Reason.CONNECT_FAILED);
            } else {
                connect();
            }
            return;
        }
        startTunnel(future.channel());
    }

    /** Writes what the client sent so far to {@code backend} and relays bytes both ways from now on. */
    private void startTunnel(Channel backend) {
        state = State.TUNNEL;
        timeouts.held(false);
        this.backend = backend;
        Channel client = ctx.channel();
        Runnable onClose = this::tunnelClosed;
        // Demand counts the connection's active streams, not the connection (see H2cStreams).
        Lease tunnelLease = lease;
        H2cStreams streams = new H2cStreams(tunnelLease::requests);
        ByteBuf bytes = buffered;
        buffered = null;
        streams.scanClientBytes(bytes.slice(PREFACE_LENGTH, bytes.readableBytes() - PREFACE_LENGTH));
        tunnelLease.requests(streams.active());
        backend.pipeline()
                .addLast("tunnel-idle", TunnelHandler.idleHandler(shared.settings().streamIdleTimeout()))
                .addLast("h2c-streams", streams.scanner(false))
                .addLast("tunnel", new TunnelHandler(client, onClose));
        backend.writeAndFlush(bytes).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                f.channel().close(); // its tunnel handler ends the tunnel
            }
        });
        ChannelPipeline p = ctx.pipeline();
        p.addAfter(ctx.name(), "tunnel-idle", TunnelHandler.idleHandler(shared.settings().streamIdleTimeout()));
        p.addAfter("tunnel-idle", "h2c-streams", streams.scanner(true));
        p.addAfter("h2c-streams", "tunnel", new TunnelHandler(backend, onClose));
        p.remove(this);
        if (!client.isActive() || !backend.isActive()) {
            onClose.run();
        }
    }

    private void tunnelClosed() {
        if (state != State.TUNNEL) {
            return;
        }
        finish(200);
        TunnelHandler.closeOnFlush(ctx.channel());
        TunnelHandler.closeOnFlush(backend);
    }

    // ---- endings before the tunnel ----

    /** Ends a routed connection with an HTTP/2 error answer; gives back the slot, if any. */
    private void fail(Reason reason) {
        if (state == State.DONE || state == State.TUNNEL) {
            return;
        }
        route.metrics().rejected(reason);
        finish(reason.status().code());
        answer(reason);
    }

    /**
     * Answers the first stream with {@code reason} in HTTP/2 — server preface, HEADERS with
     * END_STREAM, GOAWAY — then lets the client read it and close (or closes after a linger).
     */
    private void answer(Reason reason) {
        state = State.DONE;
        Http2Headers headers = new DefaultHttp2Headers()
                .status(reason.status().codeAsText())
                .set("x-wakegate-reason", reason.code())
                .set("x-wakegate-cold-start", ticket != null && ticket.waited() ? "true" : "false")
                .set("grpc-status", reason == Reason.NO_ROUTE ? "5" : "14") // NOT_FOUND, else UNAVAILABLE
                .set("grpc-message", reason.code() + ": " + reason.message());
        if (grpc) {
            headers.set(HttpHeaderNames.CONTENT_TYPE, "application/grpc");
        }
        if (route != null) {
            headers.set("x-wakegate-route", route.name());
        }
        long retryAfter = route == null ? 0 : route.gate().retryAfterSeconds(reason);
        if (retryAfter > 0) {
            headers.set(HttpHeaderNames.RETRY_AFTER, Long.toString(retryAfter));
        }
        frameWriter.writeHeaders(ctx, streamId, headers, 0, true, ctx.newPromise());
        frameWriter.writeGoAway(ctx, streamId, Http2Error.NO_ERROR.code(), Unpooled.EMPTY_BUFFER, ctx.newPromise());
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
            Channel ch = f.channel();
            if (!f.isSuccess() || !ch.isActive()) {
                ch.close();
                return;
            }
            // Closing with unread bytes in the socket would reset the connection and could destroy the
            // answer before the client reads it: signal the end, discard what comes, close soon.
            if (ch instanceof DuplexChannel duplex) {
                duplex.shutdownOutput();
            }
            ch.eventLoop().schedule(() -> ch.close(), LINGER_NANOS, TimeUnit.NANOSECONDS);
            requestRead();
        });
    }

    /** Closes without an answer: a protocol error, too many bytes, or the client left. */
    private void giveUp(int status) {
        if (state == State.HELD || state == State.CONNECTING) {
            finish(status);
        }
        state = State.DONE;
        ctx.close();
    }

    /**
     * The routed connection ends, once, before or after the tunnel: withdraws a waiting ticket,
     * releases the lease and records {@code status}.
     */
    private void finish(int status) {
        state = State.DONE;
        if (ticket != null) {
            ticket.cancel(); // a waiting ticket leaves the queue; a decided one is unaffected
        }
        if (lease != null) {
            lease.release();
        }
        route.metrics().responded(status, System.nanoTime() - startNanos);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (readPending && ctx.channel().isActive()) {
            ctx.read(); // the cycle brought nothing for the read we asked for
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (state != State.DONE && state != State.TUNNEL) {
            giveUp(499);
        }
        super.channelInactive(ctx);
    }


    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("h2c client connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        if (state == State.DONE || state == State.TUNNEL) {
            ctx.close();
        } else {
            giveUp(499);
        }
    }
}
