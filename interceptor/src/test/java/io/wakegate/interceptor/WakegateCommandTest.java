package io.wakegate.interceptor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The {@code wakegate} command's start-up problems: one line on stderr each, exit code 2. */
class WakegateCommandTest {

    @TempDir
    Path dir;

    /** Runs the command with {@code args}; returns its exit code and what it wrote to stderr. */
    private static Result run(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream previous = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = new CommandLine(new Wakegate()).execute(args);
            return new Result(code, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(previous);
        }
    }

    private record Result(int code, String stderr) {
    }

    @Test
    void aListenerPortInUseIsOneLineNamingTheFieldAndExitCode2() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            for (String field : new String[] {"port", "adminPort"}) {
                int proxyPort = field.equals("port") ? port : 0;
                int adminPort = field.equals("adminPort") ? port : 0;
                Path file = Files.writeString(dir.resolve("my.yaml"), "server: {bindAddress: 127.0.0.1, port: "
                        + proxyPort + ", adminBindAddress: 127.0.0.1, adminPort: " + adminPort + "}\n");
                Result result = run("--config", file.toString());

                assertThat(result.code()).as(result.stderr()).isEqualTo(2);
                assertThat(result.stderr()).doesNotContain("Exception").doesNotContain("\tat ");
                assertThat(result.stderr().lines().filter(l -> l.startsWith(file.toString()))).containsExactly(
                        file + ": server." + field + ": 127.0.0.1:" + port + " cannot be bound: Address already in use"
                                + " (expected: a free port on a local address; 0 picks one)");
            }
        }
    }
}
