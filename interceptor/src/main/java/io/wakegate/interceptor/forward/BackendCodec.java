package io.wakegate.interceptor.forward;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.util.AsciiString;
import io.wakegate.interceptor.http.InternedTokens;
import io.wakegate.interceptor.http.OnDemandTrailers;
import java.util.Arrays;
import java.util.List;

/**
 * The HTTP/1.1 codec of a backend connection: Netty's response decoder and request encoder, with
 * what {@code HttpClientCodec} adds that a proxy needs — a response to {@code HEAD} has no body
 * whatever its headers say — and without what it does not: Wakegate never sends {@code CONNECT} to
 * a backend (the request guard refuses it) and never pipelines, so one request at a time is
 * outstanding, and a close before the response is the backend handler's {@code channelInactive}.
 *
 * <p>What it adds over Netty's decoder: the header names model servers send and the status
 * line's words are {@linkplain InternedTokens shared constants}, not copies made for every
 * response (a response from uvicorn or cpp-httplib spends its few header names and its
 * {@code HTTP/1.1 200 OK} on no new object), and a body's end carries {@link OnDemandTrailers}.
 */
final class BackendCodec extends CombinedChannelDuplexHandler<BackendCodec.ResponseDecoder, BackendCodec.RequestEncoder> {

    private static final InternedTokens HEADER_NAMES;

    private static final InternedTokens VERSIONS = InternedTokens.of(List.of("HTTP/1.1", "HTTP/1.0"));

    /** "100" to "599": the status code a status line carries, as the text the decoder parses. */
    private static final String[] STATUS_CODES = new String[500];

    /**
     * The reason phrase of each status Netty names, by code (null for a code it does not name),
     * which its decoder maps to that status's constant. Looked up by the code just parsed, so a
     * status line costs one comparison.
     */
    private static final AsciiString[] REASONS = new AsciiString[500];

    static {
        HEADER_NAMES = InternedTokens.headerNames(List.of("ETag", "Sec-WebSocket-Accept", "Sec-WebSocket-Protocol",
                "Sec-WebSocket-Extensions", "X-Request-ID"),
                HttpHeaderNames.CONTENT_LENGTH, HttpHeaderNames.CONTENT_TYPE, HttpHeaderNames.CONTENT_ENCODING,
                HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE,
                HttpHeaderNames.DATE, HttpHeaderNames.SERVER, HttpHeaderNames.VARY, HttpHeaderNames.CACHE_CONTROL,
                HttpHeaderNames.ETAG, HttpHeaderNames.LAST_MODIFIED, HttpHeaderNames.EXPIRES, HttpHeaderNames.PRAGMA,
                HttpHeaderNames.LOCATION, HttpHeaderNames.SET_COOKIE, HttpHeaderNames.RETRY_AFTER,
                HttpHeaderNames.ACCEPT_RANGES, HttpHeaderNames.CONTENT_RANGE, HttpHeaderNames.TRAILER,
                HttpHeaderNames.UPGRADE, HttpHeaderNames.SEC_WEBSOCKET_ACCEPT, HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL,
                HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS, HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN,
                HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS,
                HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS,
                AsciiString.cached("x-content-type-options"), AsciiString.cached("x-request-id"));
        for (int code = 100; code < 600; code++) {
            STATUS_CODES[code - 100] = Integer.toString(code);
            HttpResponseStatus status = HttpResponseStatus.valueOf(code);
            if (status == HttpResponseStatus.valueOf(code)) { // a named status is a constant; others are made anew
                REASONS[code - 100] = AsciiString.cached(status.reasonPhrase());
            }
        }
    }

    /** The method of the request sent and not yet answered by a final (non-1xx) response, or null. */
    private HttpMethod outstanding;
    /** The status code of the status line being decoded, between its second and third word. */
    private int statusCode;

    BackendCodec(HttpDecoderConfig config) {
        init(new ResponseDecoder(config), new RequestEncoder());
    }

    final class RequestEncoder extends HttpRequestEncoder {
        @Override
        protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) throws Exception {
            if (msg instanceof HttpRequest request) {
                assert outstanding == null : "a request to a backend before the last one was answered";
                outstanding = request.method();
            }
            super.encode(ctx, msg, out);
        }
    }

    final class ResponseDecoder extends HttpResponseDecoder {

        ResponseDecoder(HttpDecoderConfig config) {
            super(OnDemandTrailers.in(config));
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage msg) {
            // An informational response comes before the final one and answers nothing yet.
            if (((HttpResponse) msg).status().codeClass() != HttpStatusClass.INFORMATIONAL) {
                HttpMethod method = outstanding;
                outstanding = null;
                if (HttpMethod.HEAD.equals(method)) {
                    return true;
                }
            }
            return super.isContentAlwaysEmpty(msg);
        }

        @Override
        protected AsciiString splitHeaderName(byte[] sb, int start, int length) {
            AsciiString known = HEADER_NAMES.find(sb, start, length);
            return known != null ? known : super.splitHeaderName(sb, start, length);
        }

        @Override
        protected String splitFirstWordInitialLine(byte[] sb, int start, int length) {
            AsciiString known = VERSIONS.find(sb, start, length);
            return known != null ? known.toString() : super.splitFirstWordInitialLine(sb, start, length);
        }

        @Override
        protected String splitSecondWordInitialLine(byte[] sb, int start, int length) {
            statusCode = 0;
            if (length == 3) {
                int code = digit(sb[start]) * 100 + digit(sb[start + 1]) * 10 + digit(sb[start + 2]);
                if (code >= 100 && code < 600) {
                    statusCode = code;
                    return STATUS_CODES[code - 100];
                }
            }
            return super.splitSecondWordInitialLine(sb, start, length);
        }

        @Override
        protected String splitThirdWordInitialLine(byte[] sb, int start, int length) {
            AsciiString reason = statusCode != 0 ? REASONS[statusCode - 100] : null;
            statusCode = 0;
            if (reason != null && reason.length() == length && Arrays.equals(reason.array(), reason.arrayOffset(),
                    reason.arrayOffset() + length, sb, start, start + length)) {
                return reason.toString();
            }
            return super.splitThirdWordInitialLine(sb, start, length);
        }

        /** The value of an ASCII digit; anything else makes the code out of range. */
        private static int digit(byte b) {
            return b >= '0' && b <= '9' ? b - '0' : -1000;
        }
    }
}
