package io.wakegate.interceptor.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;

/**
 * Builds the small JSON error responses Wakegate sends on its own behalf:
 * {@code {"error": "...", "reason": "...", "route": "..."}} with an {@code X-Wakegate-Reason}
 * header, so clients and dashboards can tell the cases apart, and {@code X-Wakegate-Cold-Start}
 * like every response.
 */
public final class ErrorResponses {

    public static final AsciiString REASON_HEADER = AsciiString.cached("x-wakegate-reason");
    public static final AsciiString COLD_START_HEADER = AsciiString.cached("x-wakegate-cold-start");

    private ErrorResponses() {
    }

    /**
     * An error response for {@code reason}. {@code route} may be null (no route known yet).
     * {@code keepAlive} false adds {@code Connection: close}; {@code coldStart} tells whether the
     * request was held while the backend was cold.
     */
    public static FullHttpResponse create(ByteBufAllocator alloc, Reason reason, String route,
                                          boolean keepAlive, long retryAfterSeconds, boolean coldStart) {
        StringBuilder json = new StringBuilder(128)
                .append("{\"error\":\"").append(reason.message())
                .append("\",\"reason\":\"").append(reason.code()).append('"');
        if (route != null) {
            json.append(",\"route\":");
            appendJsonString(json, route);
        }
        json.append("}\n");
        ByteBuf body = alloc.buffer(json.length());
        body.writeCharSequence(json, StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, reason.status(), body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                .set(REASON_HEADER, reason.code())
                .set(COLD_START_HEADER, coldStart ? "true" : "false");
        if (retryAfterSeconds > 0) {
            response.headers().set(HttpHeaderNames.RETRY_AFTER, Long.toString(retryAfterSeconds));
        }
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return response;
    }

    /** Appends {@code value} as a JSON string literal, escaping what JSON requires. */
    static void appendJsonString(StringBuilder out, String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
