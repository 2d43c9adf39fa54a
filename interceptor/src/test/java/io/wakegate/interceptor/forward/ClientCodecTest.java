package io.wakegate.interceptor.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link ClientCodec} on an embedded channel: a client's bytes in, Wakegate's responses out. */
class ClientCodecTest {

    private final CodecChannel codec = new CodecChannel(new ClientCodec(new HttpDecoderConfig().setMaxHeaderSize(8192)));
    private final EmbeddedChannel channel = codec.channel;

    @AfterEach
    void releaseAll() {
        codec.close();
    }

    private List<HttpRequest> receive(String bytes) {
        List<HttpRequest> requests = new ArrayList<>();
        for (Object msg : codec.receive(bytes)) {
            if (msg instanceof HttpRequest r) {
                requests.add(r);
            }
        }
        return requests;
    }

    /** Writes a 200 with a 5-byte body and returns the bytes that reach the client. */
    private String respond() {
        DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.copiedBuffer("hello", StandardCharsets.ISO_8859_1));
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 5);
        return codec.send(response);
    }

    @Test
    void aResponseToHeadLeavesWithoutItsBodyAndTheNextOneWithIt() {
        receive("HEAD /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n");

        assertThat(respond()).endsWith("content-length: 5\r\n\r\n");
        assertThat(respond()).endsWith("\r\n\r\nhello");
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void beyondTheLimitOfPipelinedRequestsTheRestIsDroppedAndTheConnectionClosesAfterTheNextResponse() {
        String many = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".repeat(ClientCodec.MAX_PIPELINE_DEPTH + 5);

        Throwable failure = catchThrowable(() -> receive(many));
        List<HttpRequest> decodedAhead = receive(""); // what was decoded before the failure
        List<HttpRequest> late = receive("GET /late HTTP/1.1\r\nHost: x\r\n\r\n");

        assertThat(failure).hasMessageContaining("maxPipelineDepth exceeded");
        assertThat(decodedAhead).hasSize(ClientCodec.MAX_PIPELINE_DEPTH);
        assertThat(late).isEmpty(); // discarded until the connection closes
        respond();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aRequestWithBothChunkedFramingAndALengthIsADecoderFailureTheGuardAnswers() {
        List<HttpRequest> requests = receive("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                + "Content-Length: 3\r\n\r\n0\r\n\r\n");

        assertThat(requests).hasSize(1);
        assertThat(requests.get(0).decoderResult().isFailure()).isTrue(); // RequestGuard: 400, then close
    }

    @Test
    void theHeaderNamesOfAnOpenAiSdkRequestAreSharedAndOthersCopiedAsTheyCame() {
        String sdkRequest = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k\r\n"
                + "User-Agent: OpenAI/Java 4.8.0\r\nX-Stainless-Lang: java\r\nX-Stainless-OS: Linux\r\n"
                + "X-Stainless-Retry-Count: 0\r\nX-Custom: 1\r\nContent-Length: 0\r\n\r\n";
        HttpRequest first = receive(sdkRequest).get(0);
        respond();
        HttpRequest second = receive(sdkRequest).get(0);

        List<Map.Entry<CharSequence, CharSequence>> a = new ArrayList<>();
        first.headers().iteratorCharSequence().forEachRemaining(a::add);
        List<Map.Entry<CharSequence, CharSequence>> b = new ArrayList<>();
        second.headers().iteratorCharSequence().forEachRemaining(b::add);
        List<String> kinds = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            kinds.add((a.get(i).getKey() == b.get(i).getKey() ? "shared:" : "copied:") + a.get(i).getKey());
        }
        assertThat(kinds).containsExactly("shared:Host", "shared:Authorization", "shared:User-Agent",
                "shared:X-Stainless-Lang", "shared:X-Stainless-OS", "shared:X-Stainless-Retry-Count",
                "copied:X-Custom", "shared:Content-Length");
        assertThat(a.get(0).getKey()).isInstanceOf(AsciiString.class);
        assertThat(first.headers().get("x-stainless-os")).isEqualTo("Linux");
    }
}
