package io.wakegate.interceptor.forward;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.ScheduledFuture;
import io.wakegate.interceptor.config.StreamKeepAliveConfig;
import io.wakegate.interceptor.http.ErrorResponses;
import io.wakegate.interceptor.http.Reason;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The client's side of a held request that will stream, on a route with
 * {@code hold.streamKeepAlive}: once held {@code after}, the client gets {@code 200} with
 * {@code text/event-stream} headers and then an SSE comment line every {@code interval}
 * ({@code : waiting for model llama, 12 s}), which SSE parsers skip, until the backend answers.
 * A successful backend response is then relayed without its head (the client has one); an error
 * status, a timeout or a shutdown becomes one SSE event whose data is OpenAI-shaped error JSON,
 * and the stream ends.
 *
 * <p>Only for HTTP/1.1 clients (chunked encoding). Confined to the client's event loop.
 */
final class EarlyStream {

    /** What the exchange does with the backend's response once the early head went out. */
    enum Answer {
        /** A success: relay its body as the stream. */
        RELAY,
        /** An error status, or a success that is no event stream: its body is collected ({@link #collect}) and turned into an error event. */
        ERROR
    }

    static final AsciiString KEEP_ALIVE_HEADER = AsciiString.cached("x-wakegate-stream-keep-alive");
    /** As much of a backend's error body as goes into the error event. */
    static final int MAX_ERROR_BODY = 4096;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ChannelHandlerContext client;
    private final StreamKeepAliveConfig config;
    private final String waitingFor;
    private final long heldSinceNanos;
    private final Runnable onHead;
    private ScheduledFuture<?> timer;
    private boolean headSent;
    private boolean stopped;
    private int errorStatus;
    /** Why a success is an error here, or empty for an error status. */
    private String errorWhat = "";
    private CompositeByteBuf errorBody;

    /**
     * @param waitingFor what the comment lines name, e.g. {@code model llama}
     * @param onHead     run when the early head goes out (a metric)
     */
    EarlyStream(ChannelHandlerContext client, StreamKeepAliveConfig config, String waitingFor, long heldSinceNanos,
                Runnable onHead) {
        this.client = client;
        this.config = config;
        this.waitingFor = waitingFor;
        this.heldSinceNanos = heldSinceNanos;
        this.onHead = onHead;
    }

    /** What the comment lines name, e.g. {@code model llama}. */
    String waitingFor() {
        return waitingFor;
    }

    /** Arms the first beat: the head, {@code after} from the start of the hold. */
    void start() {
        long delay = config.after().toNanos() - (System.nanoTime() - heldSinceNanos);
        schedule(Math.max(0, delay));
    }

    private void schedule(long delayNanos) {
        timer = client.executor().schedule(this::beat, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void beat() {
        timer = null;
        if (stopped || !client.channel().isActive()) {
            return;
        }
        if (!headSent) {
            headSent = true;
            client.write(head());
            onHead.run();
        }
        if (client.channel().isWritable()) { // a client that reads nothing gets no pile of comments
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - heldSinceNanos);
            client.writeAndFlush(text(": waiting for " + waitingFor + ", " + seconds + " s\n\n"));
        } else {
            client.flush();
        }
        schedule(config.interval().toNanos());
    }

    private static HttpResponse head() {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE)
                .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED)
                .set(ErrorResponses.COLD_START_HEADER, "true")
                .set(KEEP_ALIVE_HEADER, "true");
        return head;
    }

    private HttpContent text(String s) {
        ByteBuf bytes = client.alloc().buffer(s.length());
        bytes.writeCharSequence(s, StandardCharsets.UTF_8);
        return new DefaultHttpContent(bytes);
    }

    /** Whether the client has the early head: the backend's own head is not sent then. */
    boolean headSent() {
        return headSent;
    }

    /** The backend answered (or the exchange ended): no more beats. Idempotent. */
    void stop() {
        stopped = true;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** Writes a line that tells the client what happened meanwhile (a failover), as a comment. */
    void comment(String line) {
        if (headSent) {
            client.writeAndFlush(text(": " + line + "\n\n"));
        }
    }

    /**
     * The backend's response head after the early head: a 2xx event stream, as sent, is relayed;
     * anything else — an error status, or a success that is no event stream (JSON, compressed)
     * and would read as nothing to an SSE parser — becomes the stream's error event.
     */
    Answer answer(int code, String contentType, boolean encoded) {
        stop();
        boolean eventStream = contentType != null
                && contentType.toLowerCase(java.util.Locale.ROOT).startsWith("text/event-stream");
        if (code >= 200 && code < 300 && eventStream && !encoded) {
            return Answer.RELAY;
        }
        errorStatus = code;
        errorWhat = code >= 200 && code < 300
                ? " with " + (encoded ? "a compressed body" : contentType == null ? "no content type" : contentType)
                        + ", not an event stream" : "";
        errorBody = client.alloc().compositeBuffer();
        return Answer.ERROR;
    }

    /** Keeps up to {@link #MAX_ERROR_BODY} bytes of an error response's body; takes ownership. */
    void collect(HttpContent content) {
        ByteBuf bytes = content.content();
        int room = MAX_ERROR_BODY - errorBody.readableBytes();
        if (room > 0 && bytes.isReadable()) {
            errorBody.addComponent(true, bytes.retainedSlice(bytes.readerIndex(), Math.min(room, bytes.readableBytes())));
        }
        content.release();
    }

    /** Ends the stream with the collected backend error; returns the last write. */
    ChannelFuture endWithBackendError(String route) {
        String body = errorBody.toString(StandardCharsets.UTF_8);
        errorBody.release();
        errorBody = null;
        Reason reason = Reason.BACKEND_ERROR;
        String message = "the backend answered " + errorStatus + errorWhat
                + (errorWhat.isEmpty() ? backendMessage(body) : "");
        return end(ErrorResponses.openAiError(reason, message, route));
    }

    /** Ends the stream with Wakegate's own error ({@code reason}); returns the last write. */
    ChannelFuture endWithError(Reason reason, String route) {
        release();
        return end(ErrorResponses.openAiError(reason, reason.message(), route));
    }

    private ChannelFuture end(StringBuilder json) {
        client.write(text("data: " + json + "\n\n"));
        return client.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    }

    /** The backend's own error message (OpenAI's or vLLM's shape), else its body's start; as {@code ": ..."}. */
    private static String backendMessage(String body) {
        String text = body.strip();
        if (text.isEmpty()) {
            return "";
        }
        try {
            JsonNode node = JSON.readTree(text);
            JsonNode message = node.path("error").path("message");
            if (!message.isTextual()) {
                message = node.path("message");
            }
            if (message.isTextual()) {
                text = message.asText();
            }
        } catch (Exception e) {
            // not JSON: the text itself says what happened
        }
        return ": " + (text.length() > 512 ? text.substring(0, 512) + "..." : text);
    }

    /** Frees what an unfinished error body holds: the exchange ended before the backend's response did. */
    void release() {
        stop();
        if (errorBody != null) {
            errorBody.release();
            errorBody = null;
        }
    }
}
