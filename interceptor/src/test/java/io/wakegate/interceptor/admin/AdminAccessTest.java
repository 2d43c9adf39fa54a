package io.wakegate.interceptor.admin;

import static io.wakegate.interceptor.admin.AdminCalls.post;
import static io.wakegate.interceptor.testing.LocalProcesses.parse;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.wakegate.interceptor.InterceptorServer;
import io.wakegate.interceptor.config.ConfigLoader;
import io.wakegate.interceptor.testing.Interceptors;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Who may wake and stop backends: the token, the loopback rule and the Origin check. */
class AdminAccessTest {

    private static final String TOKEN = "s3cret-admin-token";

    private InterceptorServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** An interceptor whose admin listener binds {@code adminBind}, with WAKEGATE_ADMIN_TOKEN = {@code token}. */
    private InterceptorServer start(String adminBind, String token) throws Exception {
        String yaml = "server: {bindAddress: 127.0.0.1, port: 0, adminBindAddress: " + adminBind + ", adminPort: 0}\n"
                + Interceptors.TEST_SHUTDOWN + "routes:\n"
                + Interceptors.staticRoute("a", "/a", "http://127.0.0.1:9", null);
        Map<String, String> env = token == null ? Map.of() : Map.of("WAKEGATE_ADMIN_TOKEN", token);
        server = InterceptorServer.start(ConfigLoader.parse(yaml, "test.yaml", Path.of("."), env));
        return server;
    }

    private String ownOrigin() {
        return "http://127.0.0.1:" + server.adminAddress().getPort();
    }

    @Test
    void aNonLoopbackListenerWithoutATokenRefusesControlAndSaysHowToEnableIt() throws Exception {
        start("0.0.0.0", null);

        HttpResponse<String> refused = post(server, "a", "wake");

        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(parse(refused.body()).path("reason").asText()).isEqualTo("admin-token-required");
        assertThat(parse(refused.body()).path("error").asText())
                .contains("server.adminTokenFile", "WAKEGATE_ADMIN_TOKEN", "127.0.0.1");
        // Reads stay open.
        assertThat(Interceptors.admin(server, "/api/routes").statusCode()).isEqualTo(200);
    }

    @Test
    void aTokenIsRequiredAndMustMatch() throws Exception {
        start("0.0.0.0", TOKEN);

        HttpResponse<String> without = post(server, "a", "wake");
        assertThat(without.statusCode()).isEqualTo(401);
        assertThat(without.headers().firstValue("www-authenticate")).hasValue("Bearer");
        assertThat(parse(without.body()).path("reason").asText()).isEqualTo("unauthorized");

        HttpResponse<String> wrong = post(server, "a", "wake", "Authorization", "Bearer not-" + TOKEN);
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(parse(wrong.body()).path("error").asText()).contains("does not match");

        HttpResponse<String> foreign = post(server, "a", "wake", "Authorization", "Bearer " + TOKEN,
                "Origin", "http://evil.example");
        assertThat(foreign.statusCode()).isEqualTo(403);
        assertThat(parse(foreign.body()).path("reason").asText()).isEqualTo("cross-origin");

        assertThat(post(server, "a", "wake", "Authorization", "Bearer " + TOKEN).statusCode()).isEqualTo(202);
        assertThat(post(server, "a", "wake", "Authorization", "Bearer " + TOKEN, "Origin", ownOrigin()).statusCode())
                .isEqualTo(202);
    }

    @Test
    void aLoopbackListenerNeedsNoTokenButRefusesOtherSites() throws Exception {
        start("127.0.0.1", null);

        HttpResponse<String> foreign = post(server, "a", "sleep", "Origin", "http://evil.example");
        assertThat(foreign.statusCode()).isEqualTo(403);
        assertThat(parse(foreign.body()).path("reason").asText()).isEqualTo("cross-origin");
        assertThat(foreign.headers().firstValue("x-wakegate-reason")).hasValue("cross-origin");

        assertThat(post(server, "a", "wake").statusCode()).isEqualTo(202);
        assertThat(post(server, "a", "wake", "Origin", ownOrigin()).statusCode()).isEqualTo(202);
    }

    @Test
    void aConfiguredTokenIsRequiredOnLoopbackToo() throws Exception {
        start("127.0.0.1", TOKEN);

        assertThat(post(server, "a", "wake").statusCode()).isEqualTo(401);
        assertThat(post(server, "a", "wake", "Authorization", "bearer " + TOKEN).statusCode()).isEqualTo(202);
    }

    @Test
    void onLoopbackTheOriginMustNameALoopbackHostSoRebindingANameDoesNotHelp() {
        AdminAccess loopback = new AdminAccess(true, null);

        assertThat(loopback.checkMutating(request("127.0.0.1:9090", "http://127.0.0.1:9090"))).isNull();
        assertThat(loopback.checkMutating(request("localhost:9090", "http://localhost:9090"))).isNull();
        assertThat(loopback.checkMutating(request("[::1]:9090", "http://[::1]:9090"))).isNull();
        assertThat(loopback.checkMutating(request("localhost:9090", null))).isNull(); // curl sends no Origin
        // A page on evil.example whose name now resolves to 127.0.0.1: Origin and Host agree, but name no loopback.
        assertThat(loopback.checkMutating(request("evil.example:9090", "http://evil.example:9090")).reason())
                .isEqualTo("cross-origin");
        assertThat(loopback.checkMutating(request("127.evil.example:9090", "http://127.evil.example:9090")).reason())
                .isEqualTo("cross-origin");
        assertThat(loopback.checkMutating(request("127.0.0.1:9090", "http://127.0.0.1:9091")).reason())
                .isEqualTo("cross-origin");
        assertThat(loopback.checkMutating(request("127.0.0.1:9090", "null")).reason()).isEqualTo("cross-origin");
    }

    private static HttpRequest request(String host, String origin) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api/routes/a/wake");
        request.headers().set("Host", host);
        if (origin != null) {
            request.headers().set("Origin", origin);
        }
        return request;
    }
}
