package io.wakegate.interceptor.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;

/**
 * Builds the small JSON error responses Wakegate sends on its own behalf:
 * {@code {"error": "...", "reason": "...", "route": "..."}} with an {@code X-Wakegate-Reason}
 * header, so clients and dashboards can tell the cases apart, and {@code X-Wakegate-Cold-Start}
 * like every response. On OpenAI API paths the body has OpenAI's error shape instead,
 * {@code {"error": {"message", "type", "param", "code", "route"}}}, so SDKs show the reason; the
 * {@code code} is the reason with underscores ({@code model_not_found}).
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
        return create(alloc, reason, null, route, keepAlive, retryAfterSeconds, coldStart, false);
    }

    /**
     * As {@link #create(ByteBufAllocator, Reason, String, boolean, long, boolean)}, with
     * {@code detail} (may be null) in place of the reason's own message and, when {@code openAi},
     * OpenAI's error shape.
     */
    public static FullHttpResponse create(ByteBufAllocator alloc, Reason reason, String detail, String route,
                                          boolean keepAlive, long retryAfterSeconds, boolean coldStart,
                                          boolean openAi) {
        String message = detail != null ? detail : reason.message();
        StringBuilder json;
        if (openAi) {
            json = openAiError(reason, message, route).append('\n');
        } else {
            json = new StringBuilder(160);
            json.append("{\"error\":");
            appendJsonString(json, message);
            json.append(",\"reason\":\"").append(reason.code()).append('"');
            if (route != null) {
                json.append(",\"route\":");
                appendJsonString(json, route);
            }
            json.append("}\n");
        }
        FullHttpResponse response = json(alloc, reason.status(), json, coldStart);
        response.headers().set(REASON_HEADER, reason.code());
        if (retryAfterSeconds > 0) {
            response.headers().set(HttpHeaderNames.RETRY_AFTER, Long.toString(retryAfterSeconds));
        }
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return response;
    }

    /** A JSON response of Wakegate's own: {@code json} as the body, with length, type and cold-start headers. */
    public static FullHttpResponse json(ByteBufAllocator alloc, HttpResponseStatus status, CharSequence json,
                                        boolean coldStart) {
        ByteBuf body = alloc.buffer(json.length());
        body.writeCharSequence(json, StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                .set(COLD_START_HEADER, coldStart ? "true" : "false");
        return response;
    }

    /**
     * OpenAI's error shape, {@code {"error": {"message", "type", "param", "code", "route"}}}, on one
     * line: the body of an error response on OpenAI's API, and the data of an SSE error event.
     */
    public static StringBuilder openAiError(Reason reason, String message, String route) {
        StringBuilder json = new StringBuilder(160);
        json.append("{\"error\":{\"message\":");
        appendJsonString(json, message);
        json.append(",\"type\":\"").append(reason.status().code() < 500 ? "invalid_request_error" : "server_error")
                .append("\",\"param\":").append(isAboutModel(reason) ? "\"model\"" : "null")
                .append(",\"code\":\"").append(reason.code().replace('-', '_')).append('"');
        if (route != null) {
            json.append(",\"route\":");
            appendJsonString(json, route);
        }
        return json.append("}}");
    }

    private static boolean isAboutModel(Reason reason) {
        return switch (reason) {
            case MODEL_NOT_FOUND, MODEL_MISSING, MODEL_INVALID, MODEL_BEYOND_READ_AHEAD -> true;
            default -> false;
        };
    }

    /**
     * Whether {@code path} is on OpenAI's API ({@code /v1} and below, also under a leading
     * {@code /openai}): errors there take OpenAI's shape.
     */
    public static boolean isOpenAiPath(String path) {
        String p = path.startsWith("/openai/") ? path.substring(7) : path;
        return p.startsWith("/v1/") || p.equals("/v1") || p.startsWith("/v1?");
    }

    /** Appends {@code value} as a JSON string literal, escaping what JSON requires. */
    public static void appendJsonString(StringBuilder out, String value) {
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
