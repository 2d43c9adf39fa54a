package io.wakegate.interceptor.forward;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.wakegate.interceptor.http.ForwardedHeaders;
import io.wakegate.interceptor.http.InternedTokens;
import io.wakegate.interceptor.http.OnDemandTrailers;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The HTTP/1.1 codec of a client connection: what Netty's {@code HttpServerCodec} does — the
 * request decoder and response encoder sharing the methods of the requests not yet answered, so a
 * response to {@code HEAD} goes without a body; at most {@value #MAX_PIPELINE_DEPTH} pipelined
 * requests decoded ahead (beyond that the rest is discarded and the connection closes after its
 * next response); a request with both {@code Transfer-Encoding: chunked} and a
 * {@code Content-Length} closes the connection after its response — plus, in the decoder, the
 * header names clients of model servers send as {@linkplain InternedTokens shared constants}
 * instead of a copy per request (an OpenAI SDK request carries a dozen, most of which Netty's own
 * list of five does not have), and {@link OnDemandTrailers} for a body's end.
 */
public final class ClientCodec extends CombinedChannelDuplexHandler<ClientCodec.RequestDecoder, ClientCodec.ResponseEncoder> {

    /** Requests decoded ahead of their responses at most: Netty's {@code HttpServerCodec} default. */
    static final int MAX_PIPELINE_DEPTH = 128;

    /** The header names clients of model servers send, decoded to these shared constants. */
    private static final InternedTokens HEADER_NAMES = InternedTokens.headerNames(List.of("Sec-WebSocket-Key", "Sec-WebSocket-Version",
            "Sec-WebSocket-Protocol", "Sec-WebSocket-Extensions", "X-Request-ID", "OpenAI-Organization",
            "OpenAI-Project", "OpenAI-Beta", "X-Stainless-OS", "X-Stainless-OS-Version"),
            HttpHeaderNames.HOST, HttpHeaderNames.ACCEPT, HttpHeaderNames.ACCEPT_ENCODING,
            HttpHeaderNames.ACCEPT_LANGUAGE, HttpHeaderNames.AUTHORIZATION, HttpHeaderNames.CACHE_CONTROL,
            HttpHeaderNames.CONNECTION, HttpHeaderNames.CONTENT_LENGTH, HttpHeaderNames.CONTENT_TYPE,
            HttpHeaderNames.CONTENT_ENCODING, HttpHeaderNames.COOKIE, HttpHeaderNames.EXPECT,
            HttpHeaderNames.ORIGIN, HttpHeaderNames.PRAGMA, HttpHeaderNames.REFERER, HttpHeaderNames.TE,
            HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE, HttpHeaderNames.USER_AGENT,
            HttpHeaderNames.IF_NONE_MATCH, HttpHeaderNames.IF_MODIFIED_SINCE, HttpHeaderNames.RANGE,
            HttpHeaderNames.SEC_WEBSOCKET_KEY, HttpHeaderNames.SEC_WEBSOCKET_VERSION,
            HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS,
            ForwardedHeaders.X_FORWARDED_FOR, ForwardedHeaders.X_FORWARDED_HOST,
            ForwardedHeaders.X_FORWARDED_PROTO, AsciiString.cached("x-request-id"),
            AsciiString.cached("traceparent"), AsciiString.cached("tracestate"),
            AsciiString.cached("openai-organization"), AsciiString.cached("openai-project"),
            AsciiString.cached("openai-beta"), AsciiString.cached("x-stainless-lang"),
            AsciiString.cached("x-stainless-package-version"), AsciiString.cached("x-stainless-os"),
            AsciiString.cached("x-stainless-os-version"), AsciiString.cached("x-stainless-arch"),
            AsciiString.cached("x-stainless-runtime"), AsciiString.cached("x-stainless-runtime-version"),
            AsciiString.cached("x-stainless-retry-count"), AsciiString.cached("x-stainless-timeout"));

    /** Methods of the requests decoded and not yet answered, oldest first; at most MAX_PIPELINE_DEPTH. */
    private final ArrayDeque<HttpMethod> unanswered = new ArrayDeque<>(4);
    private boolean mustCloseAfterResponse;

    public ClientCodec(HttpDecoderConfig config) {
        init(new RequestDecoder(config), new ResponseEncoder());
    }

    final class RequestDecoder extends HttpRequestDecoder {
        /** The pipelining limit was hit: everything after is dropped until the connection closes. */
        private boolean discard;

        RequestDecoder(HttpDecoderConfig config) {
            super(OnDemandTrailers.in(config));
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
            if (discard) {
                buffer.skipBytes(buffer.readableBytes());
                return;
            }
            int oldSize = out.size();
            super.decode(ctx, buffer, out);
            int size = out.size();
            for (int i = oldSize; i < size; i++) {
                if (out.get(i) instanceof HttpRequest request) {
                    if (unanswered.size() >= MAX_PIPELINE_DEPTH) {
                        mustCloseAfterResponse = true;
                        discard = true;
                        for (int j = i; j < size; j++) {
                            ReferenceCountUtil.release(out.get(j));
                        }
                        out.subList(i, size).clear();
                        throw new IllegalStateException("maxPipelineDepth exceeded: " + MAX_PIPELINE_DEPTH);
                    }
                    unanswered.add(request.method());
                }
            }
        }

        @Override
        protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
            super.handleTransferEncodingChunkedWithContentLength(message);
            mustCloseAfterResponse = true; // the framing was ambiguous: nothing after it is trusted
        }

        @Override
        protected AsciiString splitHeaderName(byte[] sb, int start, int length) {
            AsciiString known = HEADER_NAMES.find(sb, start, length);
            return known != null ? known : super.splitHeaderName(sb, start, length);
        }
    }

    final class ResponseEncoder extends HttpResponseEncoder {
        /** The method of the request the response being encoded answers. */
        private HttpMethod answering;

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
            if (mustCloseAfterResponse && msg instanceof LastHttpContent) {
                mustCloseAfterResponse = false;
                promise = promise.unvoid().addListener(ChannelFutureListener.CLOSE);
            }
            super.write(ctx, msg, promise);
        }

        @Override
        protected void sanitizeHeadersBeforeEncode(HttpResponse msg, boolean isAlwaysEmpty) {
            if (!isAlwaysEmpty && HttpMethod.CONNECT.equals(answering)
                    && msg.status().codeClass() == HttpStatusClass.SUCCESS) {
                msg.headers().remove(HttpHeaderNames.TRANSFER_ENCODING); // RFC 9112 §6.3: a tunnel, no body
                return;
            }
            super.sanitizeHeadersBeforeEncode(msg, isAlwaysEmpty);
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpResponse msg) {
            // An informational response comes before the final one and answers nothing yet (a 101
            // ends HTTP/1 on the connection: the codec leaves the pipeline with what it holds).
            if (msg.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                return super.isContentAlwaysEmpty(msg);
            }
            answering = unanswered.poll();
            return HttpMethod.HEAD.equals(answering) || super.isContentAlwaysEmpty(msg);
        }
    }
}
