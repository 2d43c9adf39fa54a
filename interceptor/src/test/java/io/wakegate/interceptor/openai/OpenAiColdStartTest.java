package io.wakegate.interceptor.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.Timeout;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.errors.OpenAIException;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.wakegate.interceptor.InterceptorServer;
import io.wakegate.interceptor.testing.Interceptors;
import io.wakegate.interceptor.testing.LocalProcesses;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A streaming client through a GPU-length cold start, as SDK users see it: the official OpenAI
 * Java SDK with a read timeout shorter than the start, against demo model hosts that are real
 * local processes (started on the first request, "loading" for their load time). With
 * {@code hold.streamKeepAlive} the SDK gets its headers early and SSE comments keep the connection
 * busy, so its stream works across the whole start; the comments never reach its parsed events.
 */
class OpenAiColdStartTest {

    /** As long as a mid-size model takes to load on a GPU: far beyond the SDK's read timeout. */
    private static final Duration COLD_START = Duration.ofSeconds(90);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    static Path logs;

    private static InterceptorServer server;

    @BeforeAll
    static void start() throws Exception {
        server = Interceptors.start("routes:\n"
                + route("llama", COLD_START, "{coldStartTimeout: 5m, streamKeepAlive: {after: 5s, interval: 10s}}")
                + route("silent", Duration.ofSeconds(6), "{coldStartTimeout: 5m}")
                + route("never", Duration.ofMinutes(10),
                        "{coldStartTimeout: 4s, streamKeepAlive: {after: 1s, interval: 1s}}"));
    }

    private static String route(String name, Duration load, String hold) {
        int port = LocalProcesses.freePort();
        return LocalProcesses.processRoute(name, "{models: [" + name + "]}", port,
                LocalProcesses.demoCommand(port, name + "-demo", load.toSeconds() + "s", "0ms"),
                logs.resolve(name + ".log"), null, null).stripTrailing() + "\n    hold: " + hold + "\n";
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static OpenAIClient client(Duration readTimeout) {
        return OpenAIOkHttpClient.builder().baseUrl(Interceptors.base(server) + "/v1").apiKey("unused")
                .maxRetries(0)
                .timeout(Timeout.builder().connect(Duration.ofSeconds(5)).read(readTimeout)
                        .request(Duration.ofMinutes(5)).build())
                .build();
    }

    private static ChatCompletionCreateParams chat(String model, String prompt) {
        return ChatCompletionCreateParams.builder().model(model).addUserMessage(prompt).maxTokens(64).build();
    }

    @Test
    void theSdksStreamOutlastsAColdStartThreeTimesItsReadTimeout() {
        OpenAIClient client = client(READ_TIMEOUT);
        long start = System.nanoTime();
        try (HttpResponseFor<StreamResponse<ChatCompletionChunk>> raw = client.chat().completions().withRawResponse()
                .createStreaming(chat("llama", "wake up"))) {
            // The headers came early, long before the model was loaded.
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(COLD_START.toSeconds());
            assertThat(raw.statusCode()).isEqualTo(200);
            assertThat(raw.headers().values("x-wakegate-stream-keep-alive")).containsExactly("true");
            assertThat(LocalProcesses.state(server, "llama")).isNotEqualTo("ready");

            List<ChatCompletionChunk> chunks = raw.parse().stream().toList();
            long took = System.nanoTime() - start;
            assertThat(took).isGreaterThanOrEqualTo(COLD_START.toNanos()); // the answer needed the loaded model
            // Only the model's chunks were parsed: no comment line became an event.
            assertThat(chunks).isNotEmpty().allSatisfy(c -> {
                assertThat(c.id()).isNotBlank();
                assertThat(c.model()).isEqualTo("llama-demo");
            });
            String text = chunks.stream().flatMap(c -> c.choices().stream())
                    .map(c -> c.delta().content().orElse("")).collect(Collectors.joining());
            assertThat(text).isEqualTo("Hello from llama-demo! You said: wake up");
        } finally {
            client.close();
        }
        assertThat(server.metrics().registry().get("wakegate.interceptor.stream.keep.alives")
                .tag("route", "llama").counter().count()).isEqualTo(1.0);
        Interceptors.awaitCountersZero(server);
    }

    @Test
    void withoutKeepAlivesTheSameSdkGivesUpOnAColdStartLongerThanItsReadTimeout() {
        OpenAIClient client = client(Duration.ofSeconds(2));
        try {
            assertThatThrownBy(() -> {
                try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions()
                        .createStreaming(chat("silent", "hello"))) {
                    stream.stream().count();
                }
            }).isInstanceOf(OpenAIException.class).hasCauseInstanceOf(java.net.SocketTimeoutException.class);
        } finally {
            client.close();
        }
    }

    @Test
    void aColdStartTimeoutAfterTheEarlyHeadersReachesTheSdkAsAnErrorNotAnEndOfStream() {
        OpenAIClient client = client(READ_TIMEOUT);
        try {
            assertThatThrownBy(() -> {
                try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions()
                        .createStreaming(chat("never", "hello"))) {
                    stream.stream().count();
                }
            }).isInstanceOf(OpenAIException.class).hasMessageContaining("did not become ready in time");
        } finally {
            client.close();
        }
        Interceptors.awaitCountersZero(server);
    }
}
