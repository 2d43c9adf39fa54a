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
 * 414, headers too large → 431, declared body over the limit → 413, {@code CONNECT} → 405,
 * a {@code Host} that is not one host and port (a list, spaces) → 400, a request line of
 * another major version than 1 ({@code HTTP/2.0}) → 505, and absolute-form targets naming a host
 * other than {@code Host} → 400.
 *
 * <p>A rejection answers and closes the connection: the body was not read, so the connection
 * cannot be reused. Sits after the {@code MessagePerRead}; accepted heads and all content
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
        if (request.protocolVersion().majorVersion() != 1) {
            return Reason.VERSION_NOT_SUPPORTED; // RFC 9110 §6.2; HTTP/2 arrives with the h2c preface instead
        }
        if (request.method().equals(HttpMethod.CONNECT)) {
            return Reason.METHOD_NOT_ALLOWED;
        }
        String host = request.headers().get(HttpHeaderNames.HOST);
        if (host == null && request.protocolVersion().minorVersion() >= 1) {
            return Reason.BAD_REQUEST; // RFC 9112 §3.2: a 1.1 request without Host is invalid
        }
        if (request.headers().getAll(HttpHeaderNames.HOST).size() > 1 || host != null && !isHostAndPort(host)) {
            return Reason.BAD_REQUEST; // RFC 9112 §3.2: an invalid Host field value is a 400
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

    /**
     * {@code uri-host [":" port]} (RFC 9110 §7.2): an IP literal in brackets or a name of letters,
     * digits, {@code - . _ ~ %}, then optional digits. Stricter than reg-name, which also allows
     * sub-delimiters: a comma there is a list of hosts, never a host. Empty is allowed.
     */
    static boolean isHostAndPort(String host) {
        int n = host.length();
        int i = 0;
        if (n > 0 && host.charAt(0) == '[') {
            i = host.indexOf(']') + 1;
            if (i == 0 || !host.substring(1, i - 1).chars().allMatch(c -> Character.digit(c, 16) >= 0
                    || c == ':' || c == '.')) {
                return false;
            }
        } else {
            while (i < n && isNameChar(host.charAt(i))) {
                i++;
            }
        }
        if (i == n) {
            return true;
        }
        if (host.charAt(i) != ':' || n - i - 1 > 5) {
            return false;
        }
        for (int j = i + 1; j < n; j++) {
            if (host.charAt(j) < '0' || host.charAt(j) > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean isNameChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                || c == '-' || c == '.' || c == '_' || c == '~' || c == '%';
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
