package io.wakegate.interceptor.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link BackendCodec} on an embedded channel: a backend's bytes in, the decoded messages out. */
class BackendCodecTest {

    private final CodecChannel codec = new CodecChannel(new BackendCodec(new HttpDecoderConfig().setMaxHeaderSize(8192)));

    @AfterEach
    void releaseAll() {
        codec.close();
    }

    private void send(HttpMethod method) {
        codec.send(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, "/"));
    }

    private static String body(List<Object> messages) {
        StringBuilder b = new StringBuilder();
        for (Object m : messages) {
            if (m instanceof HttpContent c) {
                b.append(c.content().toString(StandardCharsets.ISO_8859_1));
            }
        }
        return b.toString();
    }

    @Test
    void aResponseToHeadHasNoBodyWhateverItsLengthSaysAndTheNextResponseDecodesWhole() {
        send(HttpMethod.HEAD);
        List<Object> head = codec.receive("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
        send(HttpMethod.GET);
        List<Object> get = codec.receive("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");

        assertThat(head).hasSize(2);
        assertThat(((HttpResponse) head.get(0)).headers().get(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo("5");
        assertThat(head.get(1)).isInstanceOf(LastHttpContent.class);
        assertThat(body(head)).isEmpty();
        assertThat(((HttpResponse) get.get(0)).decoderResult().isSuccess()).isTrue();
        assertThat(body(get)).isEqualTo("hello");
    }

    @Test
    void anInformationalResponseDoesNotAnswerTheHeadRequest() {
        send(HttpMethod.HEAD);
        List<Object> messages = codec.receive("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n");

        assertThat(messages).hasSize(4); // 100 + its end, 200 + its (empty) end
        assertThat(((HttpResponse) messages.get(0)).status()).isSameAs(HttpResponseStatus.CONTINUE);
        assertThat(((HttpResponse) messages.get(2)).status()).isSameAs(HttpResponseStatus.OK);
        assertThat(body(messages)).isEmpty();
    }

    @Test
    void theStatusLineAndKnownHeaderNamesAreSharedConstantsOthersAreCopiedAsTheyCame() {
        send(HttpMethod.GET);
        HttpResponse response = (HttpResponse) codec.receive("HTTP/1.1 404 Not Found\r\ncontent-type: text/plain\r\n"
                + "Content-Length: 0\r\nX-Compute-Type: gpu\r\n\r\n").get(0);

        assertThat(response.protocolVersion()).isSameAs(HttpVersion.HTTP_1_1);
        assertThat(response.status()).isSameAs(HttpResponseStatus.NOT_FOUND);
        List<CharSequence> names = new ArrayList<>();
        for (Map.Entry<CharSequence, CharSequence> e : (Iterable<Map.Entry<CharSequence, CharSequence>>)
                response.headers()::iteratorCharSequence) {
            names.add(e.getKey());
        }
        assertThat(names).hasSize(3);
        assertThat(names.get(0)).isSameAs(HttpHeaderNames.CONTENT_TYPE);
        assertThat(names.get(1)).hasToString("Content-Length");
        assertThat(names.get(2)).hasToString("X-Compute-Type");
        assertThat(response.headers().get("x-compute-type")).isEqualTo("gpu");
    }

    @Test
    void namesSpelledTheirOwnWayAndEveryNamedStatusAreSharedToo() {
        send(HttpMethod.GET);
        HttpResponse unavailable = (HttpResponse) codec.receive("HTTP/1.1 503 Service Unavailable\r\nETag: \"a\"\r\n"
                + "X-Request-ID: r1\r\nRetry-After: 5\r\nContent-Length: 0\r\n\r\n").get(0);
        send(HttpMethod.GET);
        HttpResponse wrongReason = (HttpResponse) codec.receive("HTTP/1.1 429 Service Unavailable\r\n"
                + "Content-Length: 0\r\n\r\n").get(0);

        assertThat(unavailable.status()).isSameAs(HttpResponseStatus.SERVICE_UNAVAILABLE);
        List<String> names = new ArrayList<>();
        unavailable.headers().iteratorCharSequence().forEachRemaining(e -> names.add(
                e.getKey() instanceof io.netty.util.AsciiString a && a == find(a) ? "shared:" + a : "copied:" + e.getKey()));
        assertThat(names).containsExactly("shared:ETag", "shared:X-Request-ID", "shared:Retry-After",
                "shared:Content-Length");
        // a reason phrase is another status's: kept as sent, not taken for that status
        assertThat(wrongReason.status().code()).isEqualTo(429);
        assertThat(wrongReason.status().reasonPhrase()).isEqualTo("Service Unavailable");
    }

    /** The constant a second decode of the same name yields, to tell a shared name from a copy. */
    private io.netty.util.AsciiString find(io.netty.util.AsciiString name) {
        send(HttpMethod.GET);
        HttpResponse again = (HttpResponse) codec.receive("HTTP/1.1 200 OK\r\n" + name + ": x\r\nContent-Length: 0\r\n\r\n")
                .get(0);
        return (io.netty.util.AsciiString) again.headers().iteratorCharSequence().next().getKey();
    }

    @Test
    void anUnusualReasonPhraseIsKeptAndABadStatusCodeIsAnInvalidMessage() {
        send(HttpMethod.GET);
        HttpResponse unusual = (HttpResponse) codec.receive("HTTP/1.1 200 Fine\r\nContent-Length: 0\r\n\r\n").get(0);
        send(HttpMethod.GET);
        HttpResponse bad = (HttpResponse) codec.receive("HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n").get(0);

        assertThat(unusual.status().code()).isEqualTo(200);
        assertThat(unusual.status().reasonPhrase()).isEqualTo("Fine");
        assertThat(bad.decoderResult().isFailure()).isTrue();
    }

    @Test
    void aBodyOfDeclaredLengthEndsWithEmptyTrailersAndChunkedTrailersStillArrive() {
        send(HttpMethod.GET);
        List<Object> fixed = codec.receive("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        send(HttpMethod.GET);
        List<Object> chunked = codec.receive("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "2\r\nok\r\n0\r\nx-checksum: 42\r\nx-more: a\r\n\r\n");

        LastHttpContent fixedEnd = (LastHttpContent) fixed.get(fixed.size() - 1);
        assertThat(fixedEnd.trailingHeaders().isEmpty()).isTrue();
        assertThat(fixedEnd.trailingHeaders().size()).isZero();
        LastHttpContent chunkedEnd = (LastHttpContent) chunked.get(chunked.size() - 1);
        assertThat(body(chunked)).isEqualTo("ok");
        assertThat(chunkedEnd.trailingHeaders().get("x-checksum")).isEqualTo("42");
        assertThat(chunkedEnd.trailingHeaders().get("X-More")).isEqualTo("a");
        assertThat(chunkedEnd.trailingHeaders().size()).isEqualTo(2);
    }

    @Test
    void trailersAreCheckedAsBeforeAFramingFieldIsDroppedAnInvalidNameFailsTheMessage() {
        send(HttpMethod.GET);
        List<Object> framing = codec.receive("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "2\r\nok\r\n0\r\nContent-Length: 2\r\nx-kept: 1\r\n\r\n");
        send(HttpMethod.GET);
        List<Object> invalid = codec.receive("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "2\r\nok\r\n0\r\nx(bad): 1\r\n\r\n");

        LastHttpContent framingEnd = (LastHttpContent) framing.get(framing.size() - 1);
        assertThat(framingEnd.decoderResult().isSuccess()).isTrue();
        assertThat(framingEnd.trailingHeaders().names()).containsExactly("x-kept");
        assertThat(((HttpContent) invalid.get(invalid.size() - 1)).decoderResult().isFailure()).isTrue();
    }
}
