package io.wakegate.interceptor.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The page a browser gets while its route wakes: 503 with {@code Retry-After}, a {@code Refresh}
 * header and an HTML page (built in, or the route's template) that names the route and the time
 * waited and reloads itself. Only a {@code GET} whose {@code Accept} names {@code text/html} — a
 * browser navigating — gets it; API clients ({@code *}{@code /*}, JSON) never do.
 *
 * <p>Templates use {@code {{route}}}, {@code {{model}}}, {@code {{elapsedSeconds}}},
 * {@code {{expected}}}, {@code {{retryAfterSeconds}}} and {@code {{refreshSeconds}}}; values are
 * HTML-escaped, unknown placeholders are left as they are.
 */
public final class WaitingPage {

    public static final String BUILT_IN = load();
    /** The longest refresh chosen from observed cold starts: the page's clock should not look stuck. */
    public static final long MAX_AUTO_REFRESH_SECONDS = 10;
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([A-Za-z]+)}}");

    private WaitingPage() {
    }

    /** Whether {@code request} is a browser's navigation, the only kind that gets the page. */
    public static boolean wanted(HttpRequest request) {
        if (!request.method().equals(HttpMethod.GET)) {
            return false;
        }
        String accept = request.headers().get(HttpHeaderNames.ACCEPT);
        return accept != null && accept.toLowerCase(java.util.Locale.ROOT).contains("text/html");
    }

    /**
     * The page for one request.
     *
     * @param template        the route's template, or null for the built-in one
     * @param expectedSeconds the typical cold start of the route (median of the recent ones); 0 = none seen yet
     */
    public static FullHttpResponse render(ByteBufAllocator alloc, String template, String route, String model,
                                          long elapsedSeconds, long expectedSeconds, long retryAfterSeconds,
                                          long refreshSeconds) {
        Map<String, String> values = Map.of(
                "route", route,
                "model", model,
                "elapsedSeconds", Long.toString(elapsedSeconds),
                "expected", expectedSeconds > 0 ? "about " + expectedSeconds + " s" : "a while; none was observed yet",
                "retryAfterSeconds", Long.toString(retryAfterSeconds),
                "refreshSeconds", Long.toString(refreshSeconds));
        String html = fill(template != null ? template : BUILT_IN, values);
        ByteBuf body = alloc.buffer(html.length());
        body.writeCharSequence(html, StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.SERVICE_UNAVAILABLE, body);
        HttpHeaders h = response.headers();
        h.set(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=utf-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
                .set(HttpHeaderNames.RETRY_AFTER, Long.toString(retryAfterSeconds))
                .set("refresh", Long.toString(refreshSeconds))
                .set(ErrorResponses.REASON_HEADER, Reason.WAKING.code())
                .set(ErrorResponses.COLD_START_HEADER, "true");
        return response;
    }

    static String fill(String template, Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder(template.length() + 64);
        while (m.find()) {
            String value = values.get(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(value != null ? escape(value) : m.group()));
        }
        m.appendTail(out);
        return out.toString();
    }

    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static String load() {
        try (InputStream in = WaitingPage.class.getResourceAsStream("waiting.html")) {
            if (in == null) {
                throw new IllegalStateException("waiting.html is missing from the http package's resources");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
