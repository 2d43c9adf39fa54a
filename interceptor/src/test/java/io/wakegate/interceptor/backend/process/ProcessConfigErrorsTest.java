package io.wakegate.interceptor.backend.process;

import static io.wakegate.interceptor.testing.LocalProcesses.freePort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wakegate.interceptor.Wakegate;
import io.wakegate.interceptor.testing.Interceptors;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** An invalid process backend is refused at start-up with an error that names the field. */
class ProcessConfigErrorsTest {

    @TempDir
    Path dir;

    private static String route(String process) {
        return """
                routes:
                  - name: llama
                    match: {pathPrefixes: [/]}
                    backend:
                      process:
                %s""".formatted(process.indent(8));
    }

    @Test
    void missingCommandNamesTheField() {
        assertThatThrownBy(() -> Interceptors.config(route("port: 8101")))
                .hasMessageContaining("routes[0].backend.process.command")
                .hasMessageContaining("test.yaml");
        assertThatThrownBy(() -> Interceptors.config(route("command: []\nport: 8101")))
                .hasMessageContaining("routes[0].backend.process.command");
    }

    @Test
    void probePathWithoutSlashNamesTheField() {
        assertThatThrownBy(() -> Interceptors.config(route("command: [true]\nport: 8101\nreadiness: {path: health}")))
                .hasMessageContaining("routes[0].backend.process.readiness.path")
                .hasMessageContaining("health");
    }

    @Test
    void portInUseIsRefusedAtStartNamingTheField() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> Interceptors.start(route("command: [true]\nport: " + port)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("route llama")
                    .hasMessageContaining("backend.process.port: " + port)
                    .hasMessageContaining("in use");
        }
    }

    /** Runs {@code wakegate args} in this JVM; returns the exit code and what it printed to stderr. */
    private static Object[] cli(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = new CommandLine(new Wakegate()).execute(args);
            return new Object[] {code, err.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setErr(saved);
        }
    }

    @Test
    void cliPrintsFileFieldAndReasonAndExitsTwo() throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "server: {port: 0, adminPort: 0}\n" + route("port: 8101\nreadiness: {path: health}"));

        Object[] result = cli("--config", bad.toString());

        assertThat(result[0]).isEqualTo(2);
        assertThat((String) result[1]).contains("bad.yaml")
                .contains("routes[0].backend.process.command")
                .contains("routes[0].backend.process.readiness.path");
    }

    @Test
    void cliRefusesAPortInUseAndExitsTwo() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Path bad = dir.resolve("taken.yaml");
            Files.writeString(bad, "server: {bindAddress: 127.0.0.1, port: " + freePort()
                    + ", adminBindAddress: 127.0.0.1, adminPort: " + freePort() + "}\n"
                    + route("command: [true]\nport: " + taken.getLocalPort()));

            Object[] result = cli("--config", bad.toString());

            assertThat(result[0]).isEqualTo(2);
            assertThat((String) result[1]).contains("taken.yaml")
                    .contains("backend.process.port: " + taken.getLocalPort()).contains("in use");
        }
    }
}
