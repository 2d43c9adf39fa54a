package io.wakegate.interceptor.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.wakegate.interceptor.InterceptorServer;
import io.wakegate.interceptor.testing.Interceptors;
import io.wakegate.interceptor.testing.LocalProcesses;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Calls on the admin API of a running interceptor, for the admin tests. */
final class AdminCalls {

    private AdminCalls() {
    }

    /** {@code POST /api/routes/{route}/{action}} with {@code headers} as name, value pairs. */
    static HttpResponse<String> post(InterceptorServer server, String route, String action, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + server.adminAddress().getPort() + "/api/routes/" + route + "/" + action))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return LocalProcesses.send(request.build());
    }

    /** {@code GET /api/routes}'s entry for {@code route}. */
    static JsonNode route(InterceptorServer server, String route) {
        JsonNode doc = LocalProcesses.parse(Interceptors.admin(server, "/api/routes").body());
        for (JsonNode r : doc.path("routes")) {
            if (r.path("name").asText().equals(route)) {
                return r;
            }
        }
        throw new AssertionError("no route " + route + " in /api/routes: " + doc);
    }

    static String state(InterceptorServer server, String route) {
        return route(server, route).path("state").asText();
    }
}
