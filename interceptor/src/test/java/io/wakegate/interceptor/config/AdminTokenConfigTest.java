package io.wakegate.interceptor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code server.adminTokenFile} and {@code WAKEGATE_ADMIN_TOKEN}: where the admin API's token comes from. */
class AdminTokenConfigTest {

    @TempDir
    Path dir;

    private ServerConfig server(String yaml, Map<String, String> env) throws ConfigException {
        return ConfigLoader.parse(yaml, "wakegate.yaml", dir, env).server();
    }

    @Test
    void theTokenIsReadFromAFileRelativeToTheConfiguration() throws Exception {
        Files.writeString(dir.resolve("admin-token"), "  tok-123\n");

        ServerConfig server = server("server: {adminTokenFile: admin-token}\n", Map.of());

        assertThat(server.adminToken()).isEqualTo("tok-123");
        assertThat(server.toString()).doesNotContain("tok-123");
    }

    @Test
    void orFromTheEnvironment() throws Exception {
        assertThat(server("server: {}\n", Map.of("WAKEGATE_ADMIN_TOKEN", "from-env")).adminToken()).isEqualTo("from-env");
        assertThat(server("limits: {}\n", Map.of("WAKEGATE_ADMIN_TOKEN", "from-env")).adminToken()).isEqualTo("from-env");
        assertThat(server("server: {}\n", Map.of()).adminToken()).isNull();
        assertThat(server("server: {}\n", Map.of()).adminBindAddress()).isEqualTo("127.0.0.1");
    }

    @Test
    void aMissingOrEmptyFileOrTwoSourcesAreNamedErrors() throws Exception {
        assertThatThrownBy(() -> server("server: {adminTokenFile: nope}\n", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("wakegate.yaml")
                .hasMessageContaining("server.adminTokenFile: " + dir.resolve("nope") + " cannot be read")
                .hasMessageContaining("(expected: a readable file holding the admin token)");

        Files.writeString(dir.resolve("empty"), "\n");
        assertThatThrownBy(() -> server("server: {adminTokenFile: empty}\n", Map.of()))
                .hasMessageContaining("server.adminTokenFile: " + dir.resolve("empty")
                        + " is empty (expected: a file holding the admin token)");

        Files.writeString(dir.resolve("token"), "x");
        assertThatThrownBy(() -> server("server: {adminTokenFile: token}\n", Map.of("WAKEGATE_ADMIN_TOKEN", "y")))
                .hasMessageContaining("server.adminTokenFile: token and WAKEGATE_ADMIN_TOKEN are both set"
                        + " (expected: one source for the admin token)");
    }
}
