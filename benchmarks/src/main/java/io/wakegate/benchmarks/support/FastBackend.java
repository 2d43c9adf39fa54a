package io.wakegate.benchmarks.support;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The fast loopback backend every benchmark measures against: HTTP/1.1 keep-alive, responses
 * pre-encoded once and written as retained slices, so it costs the same few microseconds on
 * every path and the differences between paths are the proxies'. Netty decodes requests; the
 * response bytes are written raw (no encoder).
 *
 * <ul>
 *   <li>{@code /health}: 200 {@code ok};</li>
 *   <li>{@code /bytes/N}: N bytes (fixed length; encoded once per N and cached);</li>
 *   <li>{@code /sse?n=N&delayMs=D}: N server-sent events D ms apart, chunked; each event's data is
 *       {@code <System.nanoTime() at write> <index>}, so a client on the same machine can tell
 *       how long each chunk took to arrive (CLOCK_MONOTONIC is shared by all processes);</li>
 *   <li>anything else: 200 with a {@value #SMALL_BODY}-byte body (the "small" response).</li>
 * </ul>
 *
 * <p>Run alone: {@code java -cp benchmarks.jar io.wakegate.benchmarks.support.FastBackend
 * --port 18080 [--threads 1]}; it prints {@code ready <port>} once bound.
 */
public final class FastBackend implements AutoCloseable {

    public static final int SMALL_BODY = 128;

    private final EventLoopGroup group;
    private final Channel server;
    private final Map<Long, ByteBuf> fixed = new ConcurrentHashMap<>();
    private final ByteBuf small;
    private final ByteBuf health;
    private final java.util.concurrent.atomic.AtomicLong connections = new java.util.concurrent.atomic.AtomicLong();

    private FastBackend(int port, int threads) throws InterruptedException {
        small = response("200 OK", "text/plain", "x".repeat(SMALL_BODY).getBytes(StandardCharsets.US_ASCII));
        health = response("200 OK", "text/plain", "ok".getBytes(StandardCharsets.US_ASCII));
        group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("fast-backend"),
                NioIoHandler.newFactory());
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.incrementAndGet();
                        ch.pipeline().addLast(new HttpRequestDecoder()).addLast(new Handler());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", port)).sync().channel();
    }

    /** Starts on {@code port} (0 = any free port) with {@code threads} event loops. */
    public static FastBackend start(int port, int threads) throws InterruptedException {
        return new FastBackend(port, threads);
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Connections accepted so far (a proxy that pools backend connections opens few). */
    public long connectionsAccepted() {
        return connections.get();
    }

    public String url() {
        return "http://127.0.0.1:" + port();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static ByteBuf response(String status, String type, byte[] body) {
        byte[] head = ("HTTP/1.1 " + status + "\r\ncontent-type: " + type + "\r\ncontent-length: " + body.length
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        ByteBuf buf = Unpooled.directBuffer(head.length + body.length);
        buf.writeBytes(head).writeBytes(body);
        return Unpooled.unreleasableBuffer(buf);
    }

    private ByteBuf bytes(long n) {
        return fixed.computeIfAbsent(n, k -> response("200 OK", "application/octet-stream", new byte[Math.toIntExact(k)]));
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        private HttpRequest request;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpRequest req) {
                    request = req;
                }
                if (msg instanceof LastHttpContent && request != null) {
                    respond(ctx, request);
                    request = null;
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void respond(ChannelHandlerContext ctx, HttpRequest req) {
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            String uri = req.uri();
            ByteBuf out;
            if (uri.startsWith("/sse")) {
                QueryStringDecoder q = new QueryStringDecoder(uri);
                sse(ctx, intParam(q, "n", 10), intParam(q, "delayMs", 10));
                return;
            } else if (uri.startsWith("/bytes/")) {
                out = bytes(Long.parseLong(uri.substring("/bytes/".length())));
            } else if (uri.equals("/health")) {
                out = health;
            } else {
                out = small;
            }
            var f = ctx.writeAndFlush(out.duplicate());
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        }

        private void sse(ChannelHandlerContext ctx, int n, int delayMs) {
            ctx.write(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
                    + "cache-control: no-cache\r\nx-accel-buffering: no\r\ntransfer-encoding: chunked\r\n\r\n",
                    StandardCharsets.US_ASCII));
            event(ctx, 0, n, delayMs);
        }

        private void event(ChannelHandlerContext ctx, int i, int n, int delayMs) {
            if (!ctx.channel().isActive()) {
                return;
            }
            if (i == n) {
                ctx.writeAndFlush(Unpooled.copiedBuffer("0\r\n\r\n", StandardCharsets.US_ASCII));
                return;
            }
            String data = "data: " + System.nanoTime() + " " + i + "\n\n";
            String chunk = Integer.toHexString(data.length()) + "\r\n" + data + "\r\n";
            ctx.writeAndFlush(Unpooled.copiedBuffer(chunk, StandardCharsets.US_ASCII));
            ctx.executor().schedule(() -> event(ctx, i + 1, n, delayMs), delayMs, TimeUnit.MILLISECONDS);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static int intParam(QueryStringDecoder q, String name, int dflt) {
        List<String> v = q.parameters().get(name);
        return v == null || v.isEmpty() ? dflt : Integer.parseInt(v.get(0));
    }

    public static void main(String[] args) throws Exception {
        Args a = new Args(args);
        FastBackend backend = start(a.integer("--port", 18080), a.integer("--threads", 1));
        System.out.println("ready " + backend.port());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
