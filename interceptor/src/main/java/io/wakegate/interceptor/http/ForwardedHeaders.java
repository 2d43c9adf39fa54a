package io.wakegate.interceptor.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;

/**
 * Rewrites headers between hops (RFC 9110 §7.6.1): hop-by-hop fields are removed, including
 * those named in {@code Connection}; message framing is re-established for the next hop; the
 * {@code X-Forwarded-*} fields are maintained. Host is never changed.
 *
 * <p>Stateless; methods mutate the message they are given, which the caller owns.
 */
public final class ForwardedHeaders {

    public static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    public static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    public static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
    private static final AsciiString TRAILERS = AsciiString.cached("trailers");

    private static final AsciiString[] HOP_BY_HOP = {
        HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE, PROXY_CONNECTION,
        HttpHeaderNames.PROXY_AUTHENTICATE, HttpHeaderNames.PROXY_AUTHORIZATION, HttpHeaderNames.TE,
        HttpHeaderNames.TRAILER, TRAILERS, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE,
    };

    private ForwardedHeaders() {
    }

    /**
     * The protocols of the request's {@code Upgrade} that are in {@code allowed}, comma-separated
     * in the client's order, or null when it asks for none of them (or asks for no upgrade).
     */
    static String allowedUpgrade(HttpRequest request, List<String> allowed) {
        HttpHeaders h = request.headers();
        if (!h.contains(HttpHeaderNames.UPGRADE)
                || !h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)) {
            return null;
        }
        StringBuilder kept = new StringBuilder();
        for (String value : h.getAll(HttpHeaderNames.UPGRADE)) {
            for (String token : value.split(",")) {
                String protocol = token.trim();
                String name = protocol.toLowerCase(java.util.Locale.ROOT);
                int slash = name.indexOf('/');
                if (!protocol.isEmpty() && (allowed.contains(name) || slash > 0 && allowed.contains(name.substring(0, slash)))) {
                    kept.append(kept.isEmpty() ? "" : ", ").append(protocol);
                }
            }
        }
        return kept.isEmpty() ? null : kept.toString();
    }

    /**
     * Prepares a client request for the backend, in place: HTTP/1.1, origin-form target,
     * hop-by-hop fields removed (an upgrade to an allowed protocol keeps {@code Connection: upgrade}
     * and {@code Upgrade}, with only the allowed protocols; any other upgrade is removed and the
     * request is plain HTTP/1.1), chunked framing re-declared when the client used it, and
     * {@code X-Forwarded-For} appended, {@code X-Forwarded-Proto}/{@code -Host} set when absent.
     *
     * @param originFormTarget path and query to send, never absolute-form
     * @param clientAddress    the peer's IP address as text
     * @param allowedUpgrades  the upgrade protocols forwarded, lower case
     * @return whether the request still asks to switch protocols
     */
    public static boolean prepareRequest(HttpRequest request, String originFormTarget, String clientAddress,
                                         List<String> allowedUpgrades) {
        HttpHeaders h = request.headers();
        boolean chunked = HttpUtil.isTransferEncodingChunked(request);
        String upgradeValue = allowedUpgrade(request, allowedUpgrades);
        boolean upgrade = upgradeValue != null;
        removeHopByHop(h);
        if (upgrade) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
            h.set(HttpHeaderNames.UPGRADE, upgradeValue);
        }
        if (chunked) {
            h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        String xff = h.get(X_FORWARDED_FOR);
        h.set(X_FORWARDED_FOR, xff == null || xff.isBlank() ? clientAddress : xff + ", " + clientAddress);
        if (!h.contains(X_FORWARDED_PROTO)) {
            h.set(X_FORWARDED_PROTO, "http");
        }
        String host = h.get(HttpHeaderNames.HOST);
        if (host != null && !h.contains(X_FORWARDED_HOST)) {
            h.set(X_FORWARDED_HOST, host);
        }
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        request.setUri(originFormTarget);
        return upgrade;
    }

    /**
     * Prepares a backend response for the client, in place: Wakegate's own version (HTTP/1.1,
     * RFC 9110 §6.2, whatever the backend spoke), hop-by-hop fields removed (a 101 keeps its
     * {@code Upgrade} and {@code Connection}), framing and {@code Connection} for the client.
     *
     * @param requestMethod      the method of the request this answers (HEAD has no body)
     * @param clientVersion      the client's protocol version
     * @param clientKeepAlive    whether the client connection stays open after this response
     * @param coldStart          whether the request was held while the backend was cold
     */
    public static void prepareResponse(HttpResponse response, HttpMethod requestMethod,
                                       HttpVersion clientVersion, boolean clientKeepAlive, boolean coldStart) {
        HttpHeaders h = response.headers();
        int code = response.status().code();
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        if (code == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
            // Upgrade and Connection are the point of a 101: keep them for the client.
            response.headers().set(ErrorResponses.COLD_START_HEADER, Boolean.toString(coldStart));
            return;
        }
        boolean hadChunked = HttpUtil.isTransferEncodingChunked(response);
        removeHopByHop(h);
        boolean bodyless = requestMethod.equals(HttpMethod.HEAD) || code < 200 || code == 204 || code == 304;
        if (!bodyless && !HttpUtil.isContentLengthSet(response)) {
            // Length unknown (chunked or read-until-close upstream): chunk it for HTTP/1.1 clients;
            // HTTP/1.0 clients get the body delimited by closing the connection.
            if (clientVersion.equals(HttpVersion.HTTP_1_1)) {
                h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            } else {
                clientKeepAlive = false;
            }
        } else if (bodyless && hadChunked && requestMethod.equals(HttpMethod.HEAD)) {
            // A HEAD response describes the GET response's framing; keep it.
            h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        if (code >= 200) {
            if (!clientKeepAlive) {
                h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            } else if (clientVersion.equals(HttpVersion.HTTP_1_0)) {
                h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
            h.set(ErrorResponses.COLD_START_HEADER, coldStart ? "true" : "false");
        }
    }

    /** Whether the client connection may stay open after {@code response} (set by prepareResponse). */
    public static boolean keepsAlive(HttpResponse preparedResponse) {
        return !preparedResponse.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true);
    }


    /**
     * Fields a {@code Connection} token may never remove: message framing and the target host.
     * Letting a client strip {@code Content-Length} this way would smuggle its body to the backend
     * as a second request.
     */
    private static final java.util.Set<String> PROTECTED = java.util.Set.of(
            "content-length", "transfer-encoding", "host");

    private static boolean isOnlyValue(HttpHeaders h, CharSequence name) {
        java.util.Iterator<? extends CharSequence> values = h.valueCharSequenceIterator(name);
        values.next();
        return !values.hasNext();
    }

    private static boolean isPlainConnection(String value) {
        return HttpHeaderValues.KEEP_ALIVE.contentEqualsIgnoreCase(value) || HttpHeaderValues.CLOSE.contentEqualsIgnoreCase(value);
    }

    /** Removes hop-by-hop fields, including every field named in {@code Connection} (but not framing). */
    static void removeHopByHop(HttpHeaders h) {
        String first = h.get(HttpHeaderNames.CONNECTION);
        // The common case, a lone "keep-alive" or "close", names no other field: skip the parsing.
        List<String> connection = first == null || isPlainConnection(first) && isOnlyValue(h, HttpHeaderNames.CONNECTION)
                ? List.of() : h.getAll(HttpHeaderNames.CONNECTION);
        if (!connection.isEmpty()) {
            List<String> named = new ArrayList<>(4);
            for (String value : connection) {
                for (String token : value.split(",")) {
                    String t = token.trim();
                    if (!t.isEmpty()) {
                        named.add(t);
                    }
                }
            }
            for (String name : named) {
                if (!PROTECTED.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                    h.remove(name);
                }
            }
        }
        for (AsciiString name : HOP_BY_HOP) {
            h.remove(name);
        }
    }
}
