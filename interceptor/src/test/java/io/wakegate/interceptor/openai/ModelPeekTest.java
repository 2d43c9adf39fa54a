package io.wakegate.interceptor.openai;

import static org.assertj.core.api.Assertions.assertThat;

import io.wakegate.interceptor.openai.ModelPeek.Outcome;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ModelPeekTest {

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Feeds {@code body} one byte at a time, as the slowest client would send it. */
    private static ModelPeek byteByByte(String body) {
        ModelPeek peek = new ModelPeek();
        byte[] all = body.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < all.length && peek.outcome() == Outcome.NEED_MORE; i++) {
            peek.feed(ByteBuffer.wrap(all, i, 1).slice());
        }
        peek.end();
        return peek;
    }

    @Test
    void findsTheModelInOneBuffer() {
        try (ModelPeek peek = new ModelPeek()) {
            assertThat(peek.feed(bytes("{\"model\":\"llama\",\"messages\":[]}"))).isEqualTo(Outcome.FOUND);
            assertThat(peek.model()).isEqualTo("llama");
        }
    }

    @Test
    void findsTheModelSplitAcrossBuffersAfterNestedValuesThatAlsoHaveAModelKey() {
        String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi \\\"model\\\"\",\"model\":\"nested\"}],"
                + "\"options\":{\"model\":\"deep\"},\"stream\":true,\"model\":\"qwen2.5:7b/\\u00e9\",\"after\":1}";
        ModelPeek peek = byteByByte(body);
        assertThat(peek.outcome()).isEqualTo(Outcome.FOUND);
        assertThat(peek.model()).isEqualTo("qwen2.5:7b/\u00e9");
    }

    @Test
    void stopsAtTheModelWithoutReadingWhatFollows() {
        try (ModelPeek peek = new ModelPeek()) {
            assertThat(peek.feed(bytes("{\"model\":\"m\", this is not json"))).isEqualTo(Outcome.FOUND);
        }
    }

    @Test
    void waitsForMoreWhileTheModelIsNotThereYet() {
        try (ModelPeek peek = new ModelPeek()) {
            assertThat(peek.feed(bytes("{\"messages\":[{\"content\":\"a long"))).isEqualTo(Outcome.NEED_MORE);
            assertThat(peek.feed(bytes(" text\"}],\"mod"))).isEqualTo(Outcome.NEED_MORE);
            assertThat(peek.feed(bytes("el\":\"x\"}"))).isEqualTo(Outcome.FOUND);
            assertThat(peek.model()).isEqualTo("x");
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"messages\":[]}|MISSING",
            "{}|MISSING",
            "''|MISSING",
            "{\"model\":42}|NOT_A_STRING",
            "{\"model\":null}|NOT_A_STRING",
            "{\"model\":\"\"}|NOT_A_STRING",
            "{\"model\":{\"name\":\"x\"}}|NOT_A_STRING",
            "[{\"model\":\"x\"}]|MALFORMED",
            "\"model\"|MALFORMED",
            "{\"model\" \"x\"}|MALFORMED",
            "{\"messages\":[|MALFORMED",
            "not json|MALFORMED",
    })
    void decidesBodiesWithoutAUsableModel(String body, Outcome expected) {
        ModelPeek peek = byteByByte(body);
        assertThat(peek.outcome()).isEqualTo(expected);
        assertThat(peek.model()).isNull();
        if (expected != Outcome.MISSING) {
            assertThat(peek.error()).isNotBlank();
        }
    }

    // ---- the "stream" flag ----

    @Test
    void aStreamPeekPausesAtTheModelAndFindsTheFlagOnlyWhenResumed() {
        try (ModelPeek peek = new ModelPeek(true)) {
            String body = "{\"messages\":[{\"stream\":true}],\"model\":\"m\",\"max_tokens\":5,\"stream\":true}";
            assertThat(peek.feed(bytes(body))).isEqualTo(Outcome.FOUND);
            assertThat(peek.paused()).isTrue();
            assertThat(peek.stream()).isNull(); // nothing after the model was parsed yet
            peek.resume();
            assertThat(peek.stream()).isTrue(); // the nested "stream" did not count
            assertThat(peek.settled()).isTrue();
        }
    }

    @Test
    void aStreamFlagBeforeTheModelIsKnownWhenTheModelIs() {
        try (ModelPeek peek = new ModelPeek(true)) {
            assertThat(peek.feed(bytes("{\"stream\":false,\"model\":\"m\",\"x\": broken"))).isEqualTo(Outcome.FOUND);
            assertThat(peek.stream()).isFalse();
            assertThat(peek.settled()).isTrue();
        }
    }

    @Test
    void anythingButTrueDoesNotStreamAndAnObjectWithoutTheFlagSettlesUnknown() {
        try (ModelPeek peek = new ModelPeek(true)) {
            peek.feed(bytes("{\"model\":\"m\",\"stream\":\"yes\"}"));
            peek.resume();
            assertThat(peek.stream()).isFalse();
        }
        try (ModelPeek peek = new ModelPeek(true)) {
            peek.feed(bytes("{\"model\":\"m\",\"n\":{\"stream\":true}}"));
            peek.resume();
            assertThat(peek.stream()).isNull();
            assertThat(peek.settled()).isTrue();
            assertThat(peek.outcome()).isEqualTo(Outcome.FOUND);
        }
    }

    @Test
    void bytesFedToAPausedPeekEndItRatherThanConfuseIt() {
        try (ModelPeek peek = new ModelPeek(true)) {
            peek.feed(bytes("{\"model\":\"m\","));
            peek.feed(bytes("\"stream\":true}"));
            assertThat(peek.settled()).isTrue();
            assertThat(peek.stream()).isNull();
            assertThat(peek.model()).isEqualTo("m");
        }
    }

    @Test
    void malformedJsonAfterTheModelKeepsTheModel() {
        try (ModelPeek peek = new ModelPeek(true)) {
            peek.feed(bytes("{\"model\":\"m\", nope"));
            peek.resume();
            assertThat(peek.outcome()).isEqualTo(Outcome.FOUND);
            assertThat(peek.stream()).isNull();
        }
    }
}
