package io.wakegate.interceptor.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.wakegate.interceptor.http.ErrorResponses;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP server for operators and probes, apart from the proxy so a flood of traffic never
 * starves health checks and scrapes: {@code GET /healthz} (alive), {@code GET /readyz} (ready for
 * traffic; 503 once shutdown begins), {@code GET /metrics}, {@code GET /queue}, the route view
 * {@code GET /api/routes} with its controls {@code POST /api/routes/{name}/wake} and
 * {@code .../sleep} (guarded by {@link AdminAccess}), and a status page at {@code /}.
 *
 * <p>Control calls that wait (a sleep waits for the process to stop) complete on another thread
 * and are answered back on the connection's event loop.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String ROUTES = "/api/routes";
    private static final String PAGE = loadPage();

    private final EventLoopGroup group;
    private final Channel channel;

    private AdminServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /** Binds and starts serving without an admin token; blocks until bound. */
    public static AdminServer start(String bindAddress, int port, AdminSource source) throws InterruptedException {
        return start(bindAddress, port, null, source);
    }

    /**
     * Binds and starts serving; blocks until bound (and resolves {@code bindAddress}).
     *
     * @param token the bearer token control calls need; null: none, and then only a loopback
     *              listener accepts them
     */
    public static AdminServer start(String bindAddress, int port, String token, AdminSource source)
            throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("wakegate-admin", true),
                NioIoHandler.newFactory());
        try {
            InetSocketAddress address = new InetSocketAddress(bindAddress, port);
            boolean loopback = address.getAddress() != null && address.getAddress().isLoopbackAddress();
            AdminHandler handler = new AdminHandler(source, new AdminAccess(loopback, token));
            Channel ch = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline()
                                    .addLast(new HttpServerCodec())
                                    .addLast(new HttpServerKeepAliveHandler())
                                    .addLast(new HttpObjectAggregator(16 * 1024))
                                    .addLast(handler);
                        }
                    })
                    .bind(address).sync().channel();
            log.info("admin server listening on {}", ch.localAddress());
            return new AdminServer(group, ch);
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    private static String loadPage() {
        try (var in = AdminServer.class.getResourceAsStream("status.html")) {
            if (in == null) {
                throw new IllegalStateException("status.html is missing from the admin package's resources");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @ChannelHandler.Sharable
    private static final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final AdminSource source;
        private final AdminAccess access;

        AdminHandler(AdminSource source, AdminAccess access) {
            this.source = source;
            this.access = access;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) throws Exception {
            if (!request.decoderResult().isSuccess()) {
                send(ctx, HttpResponseStatus.BAD_REQUEST, "text/plain", "bad request\n", false);
                return;
            }
            String path = new QueryStringDecoder(request.uri()).rawPath();
            if (path.startsWith(ROUTES + "/")) {
                if (request.method().equals(HttpMethod.POST)) {
                    control(ctx, request, path);
                } else {
                    sendError(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "method-not-allowed",
                            "POST only: the route's wake and sleep calls change state", null);
                }
                return;
            }
            if (!request.method().equals(HttpMethod.GET) && !request.method().equals(HttpMethod.HEAD)) {
                sendError(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "method-not-allowed",
                        "GET only, except POST " + ROUTES + "/{name}/wake and /sleep", null);
                return;
            }
            switch (path) {
                case "/" -> send(ctx, HttpResponseStatus.OK, "text/html; charset=utf-8", PAGE, true);
                case "/healthz" -> send(ctx, HttpResponseStatus.OK, "text/plain", "ok\n", true);
                case "/readyz" -> {
                    boolean ready = source.ready();
                    send(ctx, ready ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                            "text/plain", ready ? "ready\n" : "shutting down\n", true);
                }
                case "/metrics" -> send(ctx, HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8",
                        source.metrics(), true);
                case "/queue" -> sendJson(ctx, HttpResponseStatus.OK, source.queue());
                case ROUTES -> sendJson(ctx, HttpResponseStatus.OK, Map.of("routes", source.routes().list()));
                default -> sendJson(ctx, HttpResponseStatus.NOT_FOUND, Map.of("error", "not found",
                        "endpoints", new String[] {"/", "/healthz", "/readyz", "/metrics", "/queue", ROUTES}));
            }
        }

        /** {@code POST /api/routes/{name}/wake|sleep}; the name may contain {@code /} (Kubernetes mode). */
        private void control(ChannelHandlerContext ctx, FullHttpRequest request, String path) {
            String rest = path.substring(ROUTES.length() + 1);
            int slash = rest.lastIndexOf('/');
            String action = slash < 0 ? "" : rest.substring(slash + 1);
            if (slash <= 0 || !(action.equals("wake") || action.equals("sleep"))) {
                sendError(ctx, HttpResponseStatus.NOT_FOUND, "not-found",
                        "expected POST " + ROUTES + "/{name}/wake or " + ROUTES + "/{name}/sleep", null);
                return;
            }
            String name = QueryStringDecoder.decodeComponent(rest.substring(0, slash));
            AdminAccess.Refusal refusal = access.checkMutating(request);
            if (refusal != null) {
                log.warn("admin API: {} {} from {} refused: {}", request.method(), path, ctx.channel().remoteAddress(),
                        refusal.reason());
                sendError(ctx, HttpResponseStatus.valueOf(refusal.status()), refusal.reason(), refusal.message(), name);
                return;
            }
            RouteControl routes = source.routes();
            (action.equals("wake") ? routes.wake(name) : routes.sleep(name)).whenComplete((outcome, failure) ->
                    ctx.executor().execute(() -> {
                        if (failure != null) {
                            log.warn("admin API: {} of route {} failed", action, name, failure);
                            sendError(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal-error",
                                    String.valueOf(failure.getMessage()), name);
                        } else if (outcome.route() != null) {
                            sendJson(ctx, HttpResponseStatus.valueOf(outcome.status()), outcome.route());
                        } else {
                            sendError(ctx, HttpResponseStatus.valueOf(outcome.status()), outcome.reason(),
                                    outcome.message(), name);
                        }
                    }));
        }

        /** A small JSON error like the proxy's: {@code {"error", "reason", "route"}}. */
        private static void sendError(ChannelHandlerContext ctx, HttpResponseStatus status, String reason,
                                      String message, String route) {
            Map<String, String> body = new LinkedHashMap<>();
            body.put("error", message);
            body.put("reason", reason);
            if (route != null) {
                body.put("route", route);
            }
            FullHttpResponse response = response(status, "application/json", json(body));
            response.headers().set(ErrorResponses.REASON_HEADER, reason);
            if (status.code() == 401) {
                response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
            }
            ctx.writeAndFlush(response);
        }

        private static void sendJson(ChannelHandlerContext ctx, HttpResponseStatus status, Object body) {
            send(ctx, status, "application/json", json(body), true);
        }

        private static String json(Object body) {
            try {
                return JSON.writeValueAsString(body) + "\n";
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("admin JSON", e);
            }
        }

        private static FullHttpResponse response(HttpResponseStatus status, String type, String body) {
            ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, type)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes())
                    .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
            return response;
        }

        private static void send(ChannelHandlerContext ctx, HttpResponseStatus status, String type, String body,
                                 boolean keepAlive) {
            FullHttpResponse response = response(status, type, body);
            if (keepAlive) {
                ctx.writeAndFlush(response);
            } else {
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("admin connection failed", cause);
            ctx.close();
        }
    }
}
