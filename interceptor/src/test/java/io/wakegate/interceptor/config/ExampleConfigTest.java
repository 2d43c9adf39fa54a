package io.wakegate.interceptor.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The example shipped at {@code examples/wakegate.yaml} must stay valid. */
class ExampleConfigTest {

    @Test
    void theExampleFileLoads() throws Exception {
        Path example = Path.of(System.getProperty("user.dir")).resolveSibling("examples").resolve("wakegate.yaml");
        WakegateConfig config = ConfigLoader.load(example);
        assertThat(config.routes()).extracting(RouteConfig::name).containsExactly("llama-chat", "embeddings");
        RouteConfig chat = config.route("llama-chat");
        assertThat(chat.backend().staticBackend().healthCheck().path()).isEqualTo("/health");
        assertThat(chat.hold().coldStartTimeout()).isEqualTo(Duration.ofMinutes(15));
        assertThat(config.route("embeddings").backend().staticBackend().urls())
                .containsExactly(URI.create("http://127.0.0.1:8101"), URI.create("http://127.0.0.1:8102"));
        assertThat(config.limits().maxRequestBodySize()).isEqualTo(16L * 1024 * 1024);
    }
}
