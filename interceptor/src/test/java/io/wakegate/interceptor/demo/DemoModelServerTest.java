package io.wakegate.interceptor.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.wakegate.interceptor.testing.LocalProcesses;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The demo model host on its own: loading, then deterministic OpenAI-style answers. */
class DemoModelServerTest {

    private DemoModelServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private DemoModelServer start(Duration loadTime) throws InterruptedException {
        server = DemoModelServer.start(new DemoModelServer.Settings("127.0.0.1", 0, "demo-x", loadTime,
                Duration.ofMillis(5)));
        return server;
    }

    private HttpResponse<String> get(String path) throws Exception {
        return LocalProcesses.CLIENT.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return LocalProcesses.CLIENT.send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.address().getPort() + path);
    }

    @Test
    void healthAnswers503WhileLoadingThen200() throws Exception {
        start(Duration.ofMillis(300));
        HttpResponse<String> loading = get("/health");
        assertThat(loading.statusCode()).isEqualTo(503);
        assertThat(loading.body()).contains("loading");
        assertThat(post("/v1/completions", "{\"prompt\": \"x\"}").statusCode()).isEqualTo(503);

        await().atMost(Duration.ofSeconds(5)).until(() -> get("/health").statusCode() == 200);
        assertThat(get("/health").body()).contains("\"ok\"");
        JsonNode models = LocalProcesses.parse(get("/v1/models").body());
        assertThat(models.path("data").path(0).path("id").asText()).isEqualTo("demo-x");
    }

    @Test
    void streamSendsOneTokenPerChunkThenDone() throws Exception {
        start(Duration.ZERO);
        HttpResponse<String> r = post("/v1/chat/completions", LocalProcesses.chat("a b", true, 64));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("text/event-stream");
        List<String> events = new ArrayList<>();
        for (String block : r.body().split("\n\n")) {
            assertThat(block).startsWith("data: ");
            events.add(block.substring("data: ".length()));
        }
        // "Hello from demo-x! You said: a b" is 7 tokens; then the finish chunk and [DONE].
        assertThat(events).hasSize(9).last().isEqualTo("[DONE]");
        List<String> tokens = new ArrayList<>();
        for (String e : events.subList(0, 7)) {
            JsonNode chunk = LocalProcesses.parse(e);
            assertThat(chunk.path("object").asText()).isEqualTo("chat.completion.chunk");
            assertThat(chunk.path("model").asText()).isEqualTo("demo-x");
            assertThat(chunk.path("choices").path(0).path("finish_reason").isNull()).isTrue();
            tokens.add(chunk.path("choices").path(0).path("delta").path("content").asText());
        }
        assertThat(tokens).containsExactly("Hello", " from", " demo-x!", " You", " said:", " a", " b");
        assertThat(LocalProcesses.parse(events.get(7)).path("choices").path(0).path("finish_reason").asText())
                .isEqualTo("stop");
    }

    @Test
    void nonStreamAnswersOneJsonDocument() throws Exception {
        start(Duration.ZERO);
        HttpResponse<String> r = post("/v1/completions", "{\"prompt\": \"  hi   there \"}");

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = LocalProcesses.parse(r.body());
        assertThat(body.path("object").asText()).isEqualTo("text_completion");
        assertThat(body.path("choices").path(0).path("text").asText()).isEqualTo("Hello from demo-x! You said: hi there");
        assertThat(body.path("choices").path(0).path("finish_reason").asText()).isEqualTo("stop");
        assertThat(body.path("usage").path("completion_tokens").asInt()).isEqualTo(7);
        assertThat(body.path("usage").path("prompt_tokens").asInt()).isEqualTo(2);
    }

    @Test
    void maxTokensCutsTheAnswerWithFinishReasonLength() throws Exception {
        start(Duration.ZERO);
        JsonNode body = LocalProcesses.parse(post("/v1/chat/completions", LocalProcesses.chat("a b", false, 3)).body());

        assertThat(body.path("choices").path(0).path("message").path("content").asText()).isEqualTo("Hello from demo-x!");
        assertThat(body.path("choices").path(0).path("finish_reason").asText()).isEqualTo("length");

        HttpResponse<String> streamed = post("/v1/completions", "{\"prompt\": \"a\", \"stream\": true, \"max_tokens\": 2}");
        assertThat(streamed.body()).contains("\"text\":\"Hello\"").contains("\"text\":\" from\"")
                .doesNotContain("demo-x!").contains("\"finish_reason\":\"length\"").endsWith("data: [DONE]\n\n");
    }
}
