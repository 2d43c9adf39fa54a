package io.wakegate.interceptor.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpHeaderNames;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class InternedTokensTest {

    private static Object find(InternedTokens tokens, String text) {
        // the token sits inside a larger array, as in a decoder's line buffer
        byte[] line = ("xx" + text + "yy").getBytes(StandardCharsets.ISO_8859_1);
        return tokens.find(line, 2, text.length());
    }

    @Test
    void aListedTokenIsTheSharedConstantItself() {
        InternedTokens tokens = InternedTokens.of(List.of(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderNames.DATE));

        assertThat(find(tokens, "content-length")).isSameAs(HttpHeaderNames.CONTENT_LENGTH);
        assertThat(find(tokens, "date")).isSameAs(HttpHeaderNames.DATE);
    }

    @Test
    void matchingIsExactSoWhatIsForwardedIsSpelledAsItArrived() {
        InternedTokens tokens = InternedTokens.of(List.of(HttpHeaderNames.CONTENT_LENGTH));

        assertThat(find(tokens, "Content-Length")).isNull(); // a spelling not listed is copied as usual
        assertThat(find(tokens, "content-lengtH")).isNull();
        assertThat(find(tokens, "content\rlength")).isNull(); // never a look-alike with a byte no token has
        assertThat(find(tokens, "content-lengths")).isNull();
        assertThat(find(tokens, "content-lengt")).isNull();
        assertThat(find(tokens, "a-name-longer-than-any-token-in-the-set")).isNull();
        assertThat(find(tokens, "")).isNull();
    }

    @Test
    void headerNamesAreListedLowerCaseCapitalisedAndAsSpelledOtherwise() {
        InternedTokens tokens = InternedTokens.headerNames(List.of("ETag"), HttpHeaderNames.CONTENT_TYPE,
                HttpHeaderNames.SERVER);

        assertThat(find(tokens, "content-type")).isSameAs(HttpHeaderNames.CONTENT_TYPE);
        assertThat(find(tokens, "Content-Type")).hasToString("Content-Type");
        assertThat(find(tokens, "Server")).hasToString("Server");
        assertThat(find(tokens, "Content-Type")).isSameAs(find(tokens, "Content-Type"));
        assertThat(find(tokens, "CONTENT-TYPE")).isNull();
        assertThat(find(tokens, "ETag")).hasToString("ETag");
        assertThat(find(tokens, "Etag")).isNull(); // listed as spelled, not capitalised

    }
}
