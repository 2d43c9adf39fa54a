package io.wakegate.interceptor.testing;

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
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real HTTP/1.1 backend on loopback (Netty), for tests. Endpoints:
 * <ul>
 *   <li>any other path: 200, body {@code <name> <METHOD> <uri>}, with {@code x-seen-*} headers
 *       echoing what arrived (host, x-forwarded-*, connection, upgrade, te, expect);</li>
 *   <li>{@code /echo}: streams the request body back, chunked, one chunk per chunk read;</li>
 *   <li>{@code /discard}: reads the body and answers its length;</li>
 *   <li>{@code /bytes/N}: N bytes (fixed length), written with back-pressure;</li>
 *   <li>{@code /sse?n=N&delayMs=D}: N server-sent events, D ms apart, chunked;</li>
 *   <li>{@code /status/CODE}: that status, empty body;</li>
 *   <li>{@code /crash}: headers and part of a body, then the connection closes;</li>
 *   <li>{@code /hangup}: closes the connection without answering;</li>
 *   <li>{@code /slow?ms=D}: answers after D ms;</li>
 *   <li>{@code /trailers}: a chunked body with a trailer {@code x-checksum: abc};</li>
 *   <li>{@code /until-close}: a body without length or chunking, delimited by closing the connection;</li>
 *   <li>{@code /hop}: 200 with hop-by-hop response headers ({@code Connection: x-resp-hop},
 *       {@code X-Resp-Hop}, {@code Keep-Alive}, {@code Proxy-Authenticate}) and an end-to-end {@code X-End};</li>
 *   <li>{@code /ws}: WebSocket echo.</li>
 * </ul>
 */
public final class TestBackend implements AutoCloseable {

    private final String name;
    private final EventLoopGroup group;
    private final Channel server;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger concurrent = new AtomicInteger();
    private final AtomicInteger maxConcurrent = new AtomicInteger();
    private final AtomicLong bytesReceived = new AtomicLong();
    private final AtomicLong bytesSent = new AtomicLong();
    private final AtomicInteger eventsSent = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> seenUris = new ConcurrentLinkedQueue<>();

    private TestBackend(String name, int port) throws InterruptedException {
        this.name = name;
        this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        this.server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.add(ch);
                        ch.pipeline().addLast(new HttpServerCodec()).addLast(new Router());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", port)).sync().channel();
    }

    public static TestBackend start(String name) throws InterruptedException {
        return new TestBackend(name, 0);
    }

    /** Starts on a given port (a port reserved earlier, to simulate a backend coming up). */
    public static TestBackend start(String name, int port) throws InterruptedException {
        return new TestBackend(name, port);
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public String url() {
        return "http://127.0.0.1:" + port();
    }

    public int requests() {
        return requests.get();
    }

    public int maxConcurrent() {
        return maxConcurrent.get();
    }

    public long bytesReceived() {
        return bytesReceived.get();
    }

    /** Body bytes written by {@code /bytes/N} so far (accepted by the socket). */
    public long bytesSent() {
        return bytesSent.get();
    }

    /** Server-sent events written by {@code /sse} so far. */
    public int eventsSent() {
        return eventsSent.get();
    }

    public List<String> seenUris() {
        return List.copyOf(seenUris);
    }

    public int openConnections() {
        return connections.size();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        connections.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Dispatches each request to its behaviour; one request at a time per connection. */
    private final class Router extends ChannelInboundHandlerAdapter {
        private String mode;
        private long bodyLength;
        private HttpRequest request;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest req) {
                request = req;
                bodyLength = 0;
                requests.incrementAndGet();
                int now = concurrent.incrementAndGet();
                maxConcurrent.accumulateAndGet(now, Math::max);
                seenUris.add(req.uri());
                String path = new QueryStringDecoder(req.uri()).path();
                mode = path.equals("/ws") ? "ws" : path.equals("/echo") ? "echo"
                        : path.equals("/discard") ? "discard" : "other";
                if (mode.equals("ws")) {
                    ctx.pipeline().addLast(new HttpObjectAggregator(64 * 1024))
                            .addLast(new WebSocketServerProtocolHandler("/ws"))
                            .addLast(new WsEcho());
                    ctx.pipeline().remove(this);
                    concurrent.decrementAndGet();
                    ctx.fireChannelRead(msg);
                    return;
                }
                if (mode.equals("echo")) {
                    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                    HttpUtil.setTransferEncodingChunked(head, true);
                    ctx.writeAndFlush(head);
                }
                if (HttpUtil.is100ContinueExpected(req)) {
                    ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
                }
                ReferenceCountUtil.release(msg);
                return;
            }
            if (msg instanceof HttpContent content) {
                int n = content.content().readableBytes();
                bodyLength += n;
                bytesReceived.addAndGet(n);
                boolean last = msg instanceof LastHttpContent;
                if ("echo".equals(mode)) {
                    ByteBuf copy = content.content().retain();
                    ReferenceCountUtil.release(msg);
                    if (copy.isReadable()) {
                        ctx.channel().config().setAutoRead(false);
                        ctx.writeAndFlush(new DefaultHttpContent(copy)).addListener(f -> ctx.channel().config().setAutoRead(true));
                    } else {
                        copy.release();
                    }
                    if (last) {
                        concurrent.decrementAndGet();
                        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                    }
                    return;
                }
                ReferenceCountUtil.release(msg);
                if (last) {
                    respond(ctx, request);
                }
                return;
            }
            ReferenceCountUtil.release(msg);
        }

        private void respond(ChannelHandlerContext ctx, HttpRequest req) {
            QueryStringDecoder q = new QueryStringDecoder(req.uri());
            String path = q.path();
            if (path.equals("/discard")) {
                done();
                full(ctx, HttpResponseStatus.OK, Long.toString(bodyLength));
            } else if (path.startsWith("/bytes/")) {
                long n = Long.parseLong(path.substring("/bytes/".length()));
                HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                HttpUtil.setContentLength(head, n);
                ctx.writeAndFlush(head);
                writeBytes(ctx, n);
            } else if (path.equals("/sse")) {
                int count = intParam(q, "n", 5);
                long delay = intParam(q, "delayMs", 100);
                HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
                HttpUtil.setTransferEncodingChunked(head, true);
                ctx.writeAndFlush(head);
                sendEvents(ctx, 0, count, delay);
            } else if (path.startsWith("/status/")) {
                done();
                int code = Integer.parseInt(path.substring("/status/".length()));
                FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(code));
                if (code != 204 && code != 304) {
                    r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
                }
                ctx.writeAndFlush(r);
            } else if (path.equals("/crash")) {
                HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                HttpUtil.setContentLength(head, 1000);
                ctx.write(head);
                ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer("partial", StandardCharsets.US_ASCII)))
                        .addListener(f -> {
                            done();
                            ctx.close();
                        });
            } else if (path.equals("/until-close")) {
                HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.write(head);
                ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer("until-close body", StandardCharsets.US_ASCII)))
                        .addListener(f -> {
                            done();
                            ctx.close();
                        });
            } else if (path.equals("/hop")) {
                done();
                FullHttpResponse r = full(HttpResponseStatus.OK, "hop");
                r.headers().set(HttpHeaderNames.CONNECTION, "x-resp-hop")
                        .set("x-resp-hop", "1")
                        .set(HttpHeaderNames.KEEP_ALIVE, "timeout=5")
                        .set(HttpHeaderNames.PROXY_AUTHENTICATE, "Basic")
                        .set("x-end", "kept");
                ctx.writeAndFlush(r);
            } else if (path.equals("/hangup")) {
                done();
                ctx.close();
            } else if (path.equals("/slow")) {
                long ms = intParam(q, "ms", 1000);
                ctx.executor().schedule(() -> {
                    done();
                    full(ctx, HttpResponseStatus.OK, "slow " + ms);
                }, ms, TimeUnit.MILLISECONDS);
            } else if (path.equals("/trailers")) {
                HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                HttpUtil.setTransferEncodingChunked(head, true);
                head.headers().set(HttpHeaderNames.TRAILER, "x-checksum");
                ctx.write(head);
                ctx.write(new DefaultHttpContent(Unpooled.copiedBuffer("body", StandardCharsets.US_ASCII)));
                LastHttpContent last = new DefaultLastHttpContent();
                last.trailingHeaders().set("x-checksum", "abc");
                done();
                ctx.writeAndFlush(last);
            } else {
                done();
                FullHttpResponse r = full(HttpResponseStatus.OK, name + " " + req.method() + " " + req.uri());
                copySeen(req, r);
                if (req.method().equals(HttpMethod.HEAD)) {
                    ctx.writeAndFlush(r);
                } else {
                    ctx.writeAndFlush(r);
                }
            }
        }

        private void done() {
            concurrent.decrementAndGet();
        }

        private void writeBytes(ChannelHandlerContext ctx, long remaining) {
            if (remaining == 0) {
                done();
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                return;
            }
            int n = (int) Math.min(remaining, 64 * 1024);
            ByteBuf chunk = ctx.alloc().buffer(n);
            chunk.writeZero(n);
            ctx.writeAndFlush(new DefaultHttpContent(chunk)).addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    bytesSent.addAndGet(n);
                    writeBytes(ctx, remaining - n);
                } else {
                    done();
                }
            });
        }

        private void sendEvents(ChannelHandlerContext ctx, int i, int count, long delayMs) {
            if (!ctx.channel().isActive()) {
                done();
                return;
            }
            if (i == count) {
                done();
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                return;
            }
            String event = "data: token-" + i + "\n\n";
            ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(event, StandardCharsets.UTF_8)));
            eventsSent.incrementAndGet();
            ctx.executor().schedule(() -> sendEvents(ctx, i + 1, count, delayMs), delayMs, TimeUnit.MILLISECONDS);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static final class WsEcho extends SimpleChannelInboundHandler<TextWebSocketFrame> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
            ctx.writeAndFlush(new TextWebSocketFrame("echo: " + frame.text()));
        }
    }

    private static int intParam(QueryStringDecoder q, String name, int dflt) {
        List<String> v = q.parameters().get(name);
        return v == null || v.isEmpty() ? dflt : Integer.parseInt(v.get(0));
    }

    private static FullHttpResponse full(HttpResponseStatus status, String body) {
        ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        return r;
    }

    private static void full(ChannelHandlerContext ctx, HttpResponseStatus status, String body) {
        ctx.writeAndFlush(full(status, body));
    }

    private static void copySeen(HttpRequest req, HttpResponse r) {
        String[][] pairs = {
            {"host", "x-seen-host"}, {"x-forwarded-for", "x-seen-forwarded-for"},
            {"x-forwarded-proto", "x-seen-forwarded-proto"}, {"x-forwarded-host", "x-seen-forwarded-host"},
            {"connection", "x-seen-connection"}, {"te", "x-seen-te"}, {"upgrade", "x-seen-upgrade"},
            {"keep-alive", "x-seen-keep-alive"}, {"x-custom-hop", "x-seen-custom-hop"},
        };
        for (String[] p : pairs) {
            String v = req.headers().get(p[0]);
            r.headers().set(p[1], v == null ? "<none>" : v);
        }
    }
}
