package io.wakegate.interceptor.http;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.net.URI;
import java.util.function.Consumer;

/**
 * Rejects request heads that must never reach routing or a backend: undecodable or
 * smuggling-prone messages (Netty's decoder already fails conflicting {@code Content-Length} /
 * {@code Transfer-Encoding} and duplicate {@code Content-Length}) → 400, request line too long →
 * 414, headers too large → 431, declared body over the limit → 413, {@code CONNECT} → 405, and
 * absolute-form targets naming a host other than {@code Host} → 400.
 *
 * <p>A rejection answers and closes the connection: the body was not read, so the connection
 * cannot be reused. Sits after the {@code FlowControlHandler}; accepted heads and all content
 * pass on unchanged. Stateless and {@link Sharable}.
 */
@ChannelHandler.Sharable
public final class RequestGuard extends ChannelInboundHandlerAdapter {

    private final long maxRequestBodySize;
    private final Consumer<Reason> onReject;

    /**
     * @param onReject told of each rejection (metrics); called on the event loop, must not block
     */
    public RequestGuard(long maxRequestBodySize, Consumer<Reason> onReject) {
        this.maxRequestBodySize = maxRequestBodySize;
        this.onReject = onReject;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        Reason reason = check(request);
        if (reason == null) {
            ctx.fireChannelRead(msg);
            return;
        }
        ReferenceCountUtil.release(msg);
        reject(ctx, reason);
    }

    Reason check(HttpRequest request) {
        DecoderResult result = request.decoderResult();
        if (result.isFailure()) {
            Throwable cause = result.cause();
            if (cause instanceof TooLongHttpLineException) {
                return Reason.URI_TOO_LONG;
            }
            if (cause instanceof TooLongHttpHeaderException) {
                return Reason.HEADERS_TOO_LARGE;
            }
            return Reason.BAD_REQUEST;
        }
        if (request.method().equals(HttpMethod.CONNECT)) {
            return Reason.METHOD_NOT_ALLOWED;
        }
        String host = request.headers().get(HttpHeaderNames.HOST);
        if (host == null && request.protocolVersion().minorVersion() >= 1) {
            return Reason.BAD_REQUEST; // RFC 9112 §3.2: a 1.1 request without Host is invalid
        }
        if (request.headers().getAll(HttpHeaderNames.HOST).size() > 1) {
            return Reason.BAD_REQUEST;
        }
        String uri = request.uri();
        if (!uri.startsWith("/") && !"*".equals(uri)) {
            if (!isAbsoluteFormForHost(uri, host)) {
                return Reason.HOST_MISMATCH;
            }
        }
        if (HttpUtil.isContentLengthSet(request)) {
            long length;
            try {
                length = HttpUtil.getContentLength(request);
            } catch (NumberFormatException e) {
                return Reason.BAD_REQUEST;
            }
            if (length < 0) {
                return Reason.BAD_REQUEST;
            }
            if (length > maxRequestBodySize) {
                return Reason.BODY_TOO_LARGE;
            }
        }
        return null;
    }

    /** Absolute-form is allowed only when it names the same authority as Host (RFC 9112 §3.2.2). */
    private static boolean isAbsoluteFormForHost(String uri, String host) {
        try {
            URI parsed = new URI(uri);
            String scheme = parsed.getScheme();
            if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
                return false;
            }
            String authority = parsed.getRawAuthority();
            return authority != null && host != null && authority.equalsIgnoreCase(host);
        } catch (Exception e) {
            return false;
        }
    }

    private void reject(ChannelHandlerContext ctx, Reason reason) {
        onReject.accept(reason);
        ctx.writeAndFlush(ErrorResponses.create(ctx.alloc(), reason, null, false, 0, false))
                .addListener(ChannelFutureListener.CLOSE);
    }

}
