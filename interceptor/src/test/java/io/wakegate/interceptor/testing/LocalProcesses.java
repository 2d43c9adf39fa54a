package io.wakegate.interceptor.testing;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wakegate.interceptor.InterceptorServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Helpers for tests of process backends: real child processes (the demo model host started from
 * this JVM's class path, or {@code sh -c}), free ports, the {@code /queue} view of a route's process
 * and OpenAI-style requests.
 */
public final class LocalProcesses {

    /** JVM flags that make a demo model host start faster and smaller; tests only. */
    private static final String FAST_JVM = "-XX:TieredStopAtLevel=1, -XX:+UseSerialGC, -Xmx64m, -Xss512k";

    private static final ObjectMapper JSON = new ObjectMapper();

    public static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private LocalProcesses() {
    }

    /** A port nobody listens on now (bound and released). */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A YAML flow list that runs the demo model host on {@code port}. */
    public static String demoCommand(int port, String model, String loadTime, String tokenDelay) {
        return "[\"${WAKEGATE_JAVA}\", " + FAST_JVM + ", -cp, \"${WAKEGATE_CLASSPATH}\", io.wakegate.interceptor.Wakegate,"
                + " demo-model, --port, \"" + port + "\", --model, " + model + ", --load-time, " + loadTime
                + ", --token-delay, " + tokenDelay + "]";
    }

    /**
     * A route named {@code name}, matched by the header {@code X-Model: name} (so the demo host sees
     * its own paths, and no {@code *.localhost} name has to resolve). {@code process} is the rest of
     * {@code backend.process} (besides command, port, logFile and readiness); {@code hold} the body of
     * {@code hold}, or null.
     */
    public static String processRoute(String name, int port, String command, Path logFile, String process,
                                      String hold) {
        return processRoute(name, "{headers: [{name: X-Model, value: " + name + "}]}", port, command, logFile,
                process, hold);
    }

    /** As {@link #processRoute(String, int, String, Path, String, String)}, with {@code match} as YAML. */
    public static String processRoute(String name, String match, int port, String command, Path logFile,
                                      String process, String hold) {
        String route = """
                  - name: %s
                    match: %s
                    backend:
                      process:
                        command: %s
                        port: %d
                        logFile: "%s"
                        readiness: {path: /health, interval: 50ms}
                %s""".formatted(name, match, command, port, logFile, process == null ? "" : process.indent(8));
        return hold == null ? route : route + "    hold:\n" + hold.indent(6);
    }

    /** {@code /queue}'s entry for {@code route}. */
    public static JsonNode queueEntry(InterceptorServer server, String route) {
        try {
            JsonNode doc = JSON.readTree(Interceptors.admin(server, "/queue").body());
            for (JsonNode r : doc.path("routes")) {
                if (r.path("route").asText().equals(route)) {
                    return r;
                }
            }
            throw new AssertionError("no route " + route + " in /queue: " + doc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The process state {@code /queue} shows for {@code route}. */
    public static String state(InterceptorServer server, String route) {
        return queueEntry(server, route).path("backend").path("state").asText();
    }

    /** The pid {@code /queue} shows for {@code route}, or -1 when none runs. */
    public static long pid(InterceptorServer server, String route) {
        JsonNode pid = queueEntry(server, route).path("backend").path("pid");
        return pid.isNumber() ? pid.asLong() : -1;
    }

    public static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    public static void awaitState(InterceptorServer server, String route, String state) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                .until(() -> state(server, route).equals(state));
    }

    /** A chat completion request body for the demo host. */
    public static String chat(String prompt, boolean stream, int maxTokens) {
        return chat("any", prompt, stream, maxTokens);
    }

    /** A chat completion request body naming {@code model}. */
    public static String chat(String model, String prompt, boolean stream, int maxTokens) {
        return JSON.createObjectNode().put("model", model).put("stream", stream).put("max_tokens", maxTokens)
                .set("messages", JSON.createArrayNode().add(JSON.createObjectNode().put("role", "user")
                        .put("content", prompt))).toString();
    }

    /** POST {@code body} to {@code path} on the proxy, for route {@code route} (see {@link #processRoute}). */
    public static HttpRequest post(InterceptorServer server, String route, String path, String body) {
        return post(server.proxyAddress().getPort(), route, path, body);
    }

    public static HttpRequest post(int proxyPort, String route, String path, String body) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + path))
                .timeout(Duration.ofMinutes(1)).header("Content-Type", "application/json").header("X-Model", route)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    public static HttpResponse<String> send(HttpRequest request) {
        try {
            return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Sends a streaming request and reads its SSE {@code data:} lines as they arrive, telling
     * {@code onEvent} each one before reading the next; returns the status and every event.
     */
    public static Streamed stream(HttpRequest request, Consumer<String> onEvent) throws Exception {
        HttpResponse<InputStream> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofInputStream());
        List<String> events = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("data: ")) {
                    String data = line.substring("data: ".length());
                    events.add(data);
                    onEvent.accept(data);
                }
            }
        }
        return new Streamed(response.statusCode(), response.headers().firstValue("x-wakegate-cold-start").orElse(null),
                events);
    }

    /** A streamed response: status, the cold-start header and the SSE data lines in order. */
    public record Streamed(int status, String coldStart, List<String> events) {
        /** The text of the tokens, concatenated (chat deltas). */
        public String text() {
            StringBuilder out = new StringBuilder();
            for (String e : events) {
                if (!e.equals("[DONE]")) {
                    out.append(parse(e).path("choices").path(0).path("delta").path("content").asText(""));
                }
            }
            return out.toString();
        }
    }

    public static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
