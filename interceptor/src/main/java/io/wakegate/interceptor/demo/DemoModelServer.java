package io.wakegate.interceptor.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OpenAI-compatible demo model host. Until {@code loadTime} has passed since start it is
 * "loading": {@code /health} answers 503 and the API answers 503. Then {@code /health} answers
 * 200 and the API generates {@link DemoCompletion} tokens, one SSE chunk per token with
 * {@code tokenDelay} between them when {@code stream} is true.
 */
public final class DemoModelServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DemoModelServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int DEFAULT_MAX_TOKENS = 64;

    /**
     * @param model      the model id it reports and answers as
     * @param loadTime   time after start during which it is "loading"
     * @param tokenDelay time between streamed tokens
     */
    public record Settings(String host, int port, String model, Duration loadTime, Duration tokenDelay) {
    }

    private final Settings settings;
    private final long readyAtNanos;
    private final EventLoopGroup group;
    private final Channel channel;
    private final AtomicLong ids = new AtomicLong();

    private DemoModelServer(Settings settings) throws InterruptedException {
        this.settings = settings;
        this.readyAtNanos = System.nanoTime() + settings.loadTime().toNanos();
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("demo-model"),
                NioIoHandler.newFactory());
        Handler handler = new Handler();
        try {
            this.channel = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline()
                                    .addLast(new HttpServerCodec())
                                    .addLast(new HttpServerKeepAliveHandler())
                                    .addLast(new HttpObjectAggregator(1024 * 1024))
                                    .addLast(handler);
                        }
                    })
                    .bind(new InetSocketAddress(settings.host(), settings.port())).sync().channel();
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    public static DemoModelServer start(Settings settings) throws InterruptedException {
        DemoModelServer server = new DemoModelServer(settings);
        log.info("demo model {} listening on {}; loading for {} ms", settings.model(), server.address(),
                settings.loadTime().toMillis());
        return server;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private boolean loaded() {
        return System.nanoTime() - readyAtNanos >= 0;
    }

    @ChannelHandler.Sharable
    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            String path = new QueryStringDecoder(request.uri()).path();
            boolean loaded = loaded();
            if (path.equals("/health")) {
                json(ctx, request, loaded ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                        JSON.createObjectNode().put("status", loaded ? "ok" : "loading"));
                return;
            }
            if (!loaded) {
                json(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE, error("model is loading"));
                return;
            }
            switch (path) {
                case "/v1/models" -> models(ctx, request);
                case "/v1/completions" -> complete(ctx, request, false);
                case "/v1/chat/completions" -> complete(ctx, request, true);
                default -> json(ctx, request, HttpResponseStatus.NOT_FOUND, error("no such endpoint: " + path));
            }
        }

        private void models(ChannelHandlerContext ctx, FullHttpRequest request) {
            ObjectNode body = JSON.createObjectNode().put("object", "list");
            body.putArray("data").addObject().put("id", settings.model()).put("object", "model")
                    .put("created", 0).put("owned_by", "wakegate-demo");
            json(ctx, request, HttpResponseStatus.OK, body);
        }

        private void complete(ChannelHandlerContext ctx, FullHttpRequest request, boolean chat) {
            if (!request.method().equals(HttpMethod.POST)) {
                json(ctx, request, HttpResponseStatus.METHOD_NOT_ALLOWED, error("use POST"));
                return;
            }
            JsonNode in;
            try {
                in = JSON.readTree(request.content().toString(StandardCharsets.UTF_8));
            } catch (Exception e) {
                json(ctx, request, HttpResponseStatus.BAD_REQUEST, error("body is not JSON: " + e.getMessage()));
                return;
            }
            if (in == null || !in.isObject()) {
                json(ctx, request, HttpResponseStatus.BAD_REQUEST, error("body must be a JSON object"));
                return;
            }
            String prompt = chat ? lastUserMessage(in) : in.path("prompt").asText("");
            int maxTokens = in.path("max_tokens").asInt(DEFAULT_MAX_TOKENS);
            List<String> tokens = DemoCompletion.tokens(settings.model(), prompt, maxTokens);
            String finish = DemoCompletion.truncated(settings.model(), prompt, maxTokens) ? "length" : "stop";
            String id = (chat ? "chatcmpl-demo-" : "cmpl-demo-") + ids.incrementAndGet();
            if (in.path("stream").asBoolean(false)) {
                stream(ctx, request, chat, id, tokens, finish);
            } else {
                ObjectNode body = envelope(id, chat ? "chat.completion" : "text_completion");
                ObjectNode choice = body.putArray("choices").addObject().put("index", 0);
                String text = String.join("", tokens);
                if (chat) {
                    choice.putObject("message").put("role", "assistant").put("content", text);
                } else {
                    choice.put("text", text);
                }
                choice.put("finish_reason", finish);
                int promptTokens = prompt.isBlank() ? 0 : prompt.strip().split("\\s+").length;
                body.putObject("usage").put("prompt_tokens", promptTokens).put("completion_tokens", tokens.size())
                        .put("total_tokens", promptTokens + tokens.size());
                json(ctx, request, HttpResponseStatus.OK, body);
            }
        }

        private void stream(ChannelHandlerContext ctx, FullHttpRequest request, boolean chat, String id,
                            List<String> tokens, String finish) {
            HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream")
                    .set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
            HttpUtil.setTransferEncodingChunked(head, true);
            HttpUtil.setKeepAlive(head, HttpUtil.isKeepAlive(request));
            ctx.writeAndFlush(head);
            sendToken(ctx, chat, id, tokens, 0, finish);
        }

        private void sendToken(ChannelHandlerContext ctx, boolean chat, String id, List<String> tokens, int i,
                               String finish) {
            if (!ctx.channel().isActive()) {
                return;
            }
            if (i == tokens.size()) {
                ObjectNode last = chunk(chat, id, null, finish);
                ctx.write(sse(last.toString()));
                ctx.write(sse("[DONE]"));
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                return;
            }
            ctx.writeAndFlush(sse(chunk(chat, id, tokens.get(i), null).toString()));
            ctx.executor().schedule(() -> sendToken(ctx, chat, id, tokens, i + 1, finish),
                    settings.tokenDelay().toNanos(), TimeUnit.NANOSECONDS);
        }

        private ObjectNode chunk(boolean chat, String id, String token, String finish) {
            ObjectNode body = envelope(id, chat ? "chat.completion.chunk" : "text_completion");
            ObjectNode choice = body.putArray("choices").addObject().put("index", 0);
            if (chat) {
                ObjectNode delta = choice.putObject("delta");
                if (token != null) {
                    delta.put("content", token);
                }
            } else {
                choice.put("text", token == null ? "" : token);
            }
            if (finish == null) {
                choice.putNull("finish_reason");
            } else {
                choice.put("finish_reason", finish);
            }
            return body;
        }

        private ObjectNode envelope(String id, String object) {
            return JSON.createObjectNode().put("id", id).put("object", object).put("created", 0)
                    .put("model", settings.model());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static String lastUserMessage(JsonNode in) {
        String last = "";
        JsonNode messages = in.path("messages");
        if (messages instanceof ArrayNode array) {
            for (JsonNode m : array) {
                if ("user".equals(m.path("role").asText())) {
                    last = m.path("content").asText("");
                }
            }
        }
        return last;
    }

    private static ObjectNode error(String message) {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("error").put("message", message).put("type", "demo_error");
        return body;
    }

    private static DefaultHttpContent sse(String data) {
        return new DefaultHttpContent(Unpooled.copiedBuffer("data: " + data + "\n\n", StandardCharsets.UTF_8));
    }

    private static void json(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status,
                             JsonNode body) {
        ByteBuf content = Unpooled.copiedBuffer(body.toString() + "\n", StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        HttpUtil.setKeepAlive(response, HttpUtil.isKeepAlive(request));
        if (HttpUtil.isKeepAlive(request)) {
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
