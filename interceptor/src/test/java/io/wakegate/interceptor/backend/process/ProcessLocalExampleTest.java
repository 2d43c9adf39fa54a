package io.wakegate.interceptor.backend.process;

import static io.wakegate.interceptor.testing.LocalProcesses.alive;
import static io.wakegate.interceptor.testing.LocalProcesses.pid;
import static io.wakegate.interceptor.testing.LocalProcesses.state;
import static org.assertj.core.api.Assertions.assertThat;

import io.wakegate.interceptor.InterceptorServer;
import io.wakegate.interceptor.config.ConfigLoader;
import io.wakegate.interceptor.config.RouteConfig;
import io.wakegate.interceptor.config.ServerConfig;
import io.wakegate.interceptor.config.WakegateConfig;
import io.wakegate.interceptor.testing.Interceptors;
import io.wakegate.interceptor.testing.LocalProcesses;
import io.wakegate.interceptor.testing.RawHttp;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Runs exactly {@code examples/local.yaml}, what README's first command starts (only the listener
 * ports become ephemeral): wake llama, stream from it, swap to mistral — both on one address,
 * chosen by the request's {@code model}.
 */
class ProcessLocalExampleTest {

    private static RawHttp.Response chat(InterceptorServer server, String model, String prompt, boolean stream)
            throws Exception {
        String body = LocalProcesses.chat(model, prompt, stream, 64);
        try (RawHttp http = RawHttp.connect(server.proxyAddress().getPort())) {
            http.socket().setSoTimeout(60_000);
            http.send("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body);
            return http.readResponse(false);
        }
    }

    @Test
    void localExampleWakesStreamsAndSwaps() throws Exception {
        WakegateConfig file = ConfigLoader.load(Path.of("..", "examples", "local.yaml").toAbsolutePath().normalize());
        assertThat(file.routes()).extracting(RouteConfig::name).containsExactly("llama", "mistral");
        WakegateConfig config = new WakegateConfig(new ServerConfig("127.0.0.1", 0, "127.0.0.1", 0), file.limits(),
                file.forwarding(), file.shutdown(), file.routes());

        InterceptorServer server = InterceptorServer.start(config);
        try {
            assertThat(state(server, "llama")).isEqualTo("stopped");

            RawHttp.Response llama = chat(server, "llama", "stream please", true);
            assertThat(llama.status()).isEqualTo(200);
            assertThat(llama.header("x-wakegate-cold-start")).isEqualTo("true");
            assertThat(llama.header("content-type")).startsWith("text/event-stream");
            assertThat(llama.body()).contains("\"content\":\"Hello\"").endsWith("data: [DONE]\n\n");
            long llamaPid = pid(server, "llama");
            assertThat(alive(llamaPid)).isTrue();

            RawHttp.Response mistral = chat(server, "mistral-demo", "swap", false);
            assertThat(mistral.status()).isEqualTo(200);
            assertThat(LocalProcesses.parse(mistral.body()).path("choices").path(0).path("message").path("content")
                    .asText()).isEqualTo("Hello from mistral-demo! You said: swap");
            assertThat(state(server, "llama")).isEqualTo("stopped");
            assertThat(alive(llamaPid)).isFalse();
            assertThat(state(server, "mistral")).isEqualTo("ready");
            Interceptors.awaitCountersZero(server);
        } finally {
            server.close();
        }
    }
}
