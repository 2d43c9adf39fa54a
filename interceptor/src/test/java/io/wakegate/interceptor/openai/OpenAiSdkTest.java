package io.wakegate.interceptor.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.fasterxml.jackson.core.type.TypeReference;
import com.openai.core.ObjectMappers;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.models.Model;
import io.wakegate.interceptor.InterceptorServer;
import io.wakegate.interceptor.testing.Interceptors;
import io.wakegate.interceptor.testing.LocalProcesses;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model routing as SDK users see it: the official OpenAI Java SDK, one base URL, two demo model
 * hosts run as local processes (started on demand, like examples/local.yaml), each chosen by the
 * {@code model} the SDK sends.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpenAiSdkTest {

    @TempDir
    static Path logs;

    private static InterceptorServer server;
    private static OpenAIClient client;

    @BeforeAll
    static void start() throws Exception {
        String yaml = """
                limits: {modelReadAhead: 256KiB}
                routes:
                """ + route("llama", "[llama-demo, llama]", LocalProcesses.freePort(), "llama-demo")
                + route("qwen", "[qwen-demo, qwen, \"qwen2.5:7b\"]", LocalProcesses.freePort(), "qwen-demo");
        server = Interceptors.start(yaml);
        client = OpenAIOkHttpClient.builder().baseUrl(Interceptors.base(server) + "/v1").apiKey("unused")
                .maxRetries(0).timeout(Duration.ofSeconds(60)).build();
    }

    private static String route(String name, String models, int port, String model) {
        return LocalProcesses.processRoute(name, "{models: " + models + "}", port,
                LocalProcesses.demoCommand(port, model, "300ms", "0ms"), logs.resolve(name + ".log"), null, null);
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static ChatCompletionCreateParams chat(String model, String prompt) {
        return ChatCompletionCreateParams.builder().model(model).addUserMessage(prompt).maxTokens(64).build();
    }

    /** A streamed chat completion's text, chunk by chunk as the SDK reads the SSE stream. */
    private static String streamed(String model, String prompt) {
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions()
                .createStreaming(chat(model, prompt))) {
            return stream.stream().flatMap(c -> c.choices().stream())
                    .map(c -> c.delta().content().orElse("")).collect(Collectors.joining());
        }
    }

    private static Map<String, String> states() {
        return client.models().list().data().stream().collect(Collectors.toMap(Model::id,
                m -> wakegate(m).get("state")));
    }

    /** The extra {@code wakegate} object of a listed model: its route and state. */
    private static Map<String, String> wakegate(Model model) {
        return model._additionalProperties().get("wakegate").convert(new TypeReference<Map<String, String>>() { });
    }

    @Test
    @Order(1) // first, while every model sleeps: the other tests wake them
    void listsEveryModelWhileAllSleepThenWakesOnlyTheOneARequestNames() {
        List<Model> models = client.models().list().data();
        assertThat(models).extracting(Model::id)
                .containsExactly("llama", "llama-demo", "qwen", "qwen-demo", "qwen2.5:7b");
        assertThat(wakegate(models.get(0))).containsEntry("route", "llama");
        assertThat(wakegate(models.get(4))).containsEntry("route", "qwen");
        assertThat(states()).containsEntry("llama", "sleeping").containsEntry("qwen-demo", "sleeping");
        assertThat(client.models().retrieve("qwen2.5:7b").id()).isEqualTo("qwen2.5:7b");
        // Listing and retrieving woke nothing.
        assertThat(Interceptors.demand(server, "qwen").requestCount()).isZero();

        HttpResponseFor<ChatCompletion> raw = client.chat().completions().withRawResponse()
                .create(chat("qwen2.5:7b", "wake up"));
        assertThat(raw.statusCode()).isEqualTo(200);
        assertThat(raw.parse().choices().get(0).message().content().orElseThrow())
                .isEqualTo("Hello from qwen-demo! You said: wake up");
        assertThat(raw.headers().values("x-wakegate-cold-start")).containsExactly("true");
        assertThat(LocalProcesses.state(server, "qwen")).isEqualTo("ready");
        assertThat(LocalProcesses.state(server, "llama")).isEqualTo("stopped");
        assertThat(states()).containsEntry("qwen", "ready").containsEntry("qwen-demo", "ready");
    }

    @Test
    void twoModelsBehindOneBaseUrlEachReachItsOwnBackendStreamingAndNot() {
        ChatCompletion llama = client.chat().completions().create(chat("llama", "one"));
        assertThat(llama.model()).isEqualTo("llama-demo");
        assertThat(llama.choices().get(0).message().content()).hasValue("Hello from llama-demo! You said: one");

        assertThat(streamed("qwen-demo", "two")).isEqualTo("Hello from qwen-demo! You said: two");
        assertThat(streamed("llama-demo", "three")).isEqualTo("Hello from llama-demo! You said: three");
        assertThat(client.chat().completions().create(chat("qwen", "four")).choices().get(0).message().content())
                .hasValue("Hello from qwen-demo! You said: four");
        Interceptors.awaitCountersZero(server);
    }

    @Test
    void anUnknownModelIs404ModelNotFoundListingTheKnownNames() {
        assertThatThrownBy(() -> client.chat().completions().create(chat("gpt-4o", "hi")))
                .isInstanceOfSatisfying(NotFoundException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(404);
                    assertThat(e.code()).hasValue("model_not_found");
                    assertThat(e.param()).hasValue("model");
                    assertThat(e.type()).hasValue("invalid_request_error");
                    assertThat(e.getMessage()).contains("gpt-4o")
                            .contains("llama, llama-demo, qwen, qwen-demo, qwen2.5:7b");
                    assertThat(e.headers().values("x-wakegate-reason")).containsExactly("model-not-found");
                });
        assertThatThrownBy(() -> client.models().retrieve("gpt-4o"))
                .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.code()).hasValue("model_not_found"));
    }

    @Test
    void aModelNamedAfterAHundredKibibytesOfMessagesIsFoundAndTheWholeBodyForwarded() throws Exception {
        String longPrompt = "word ".repeat(20 * 1024) + "end";
        ChatCompletionCreateParams params = chat("llama", longPrompt);
        // The SDK writes "messages" before "model": the peek reads through 100 KiB to find it.
        assertThat(ObjectMappers.jsonMapper().writeValueAsString(params._body()).indexOf("\"model\""))
                .isGreaterThan(100 * 1024);
        ChatCompletion completion = client.chat().completions().create(params);
        // The demo host parsed the whole JSON body: read-ahead bytes and the rest arrived intact, in order.
        assertThat(completion.model()).isEqualTo("llama-demo");
        assertThat(completion.usage().orElseThrow().promptTokens()).isEqualTo(20 * 1024 + 1);
        assertThat(readAheadBytes()).isZero();
    }

    @Test
    void aModelBeyondTheReadAheadIs413WithAReason() {
        String tooLong = "x".repeat(300 * 1024);
        assertThatThrownBy(() -> client.chat().completions().create(chat("llama", tooLong)))
                .isInstanceOfSatisfying(OpenAIServiceException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(413);
                    assertThat(e.code()).hasValue("model_beyond_read_ahead");
                    assertThat(e.getMessage()).contains("262144 bytes").contains("limits.modelReadAhead");
                });
        await().atMost(Duration.ofSeconds(5)).until(() -> readAheadBytes() == 0);
    }

    private static double readAheadBytes() {
        return server.metrics().registry().get("wakegate.interceptor.read.ahead").gauge().value();
    }
}
