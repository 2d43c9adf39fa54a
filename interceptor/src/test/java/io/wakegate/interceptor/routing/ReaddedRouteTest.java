package io.wakegate.interceptor.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wakegate.interceptor.InterceptorServer;
import io.wakegate.interceptor.demand.RouteDemand;
import io.wakegate.interceptor.testing.Interceptors;
import io.wakegate.interceptor.testing.ManualEndpointSource;
import io.wakegate.interceptor.testing.TestBackend;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A route removed while a request was in flight and added back keeps reporting its demand:
 * the counter of the live route is never dropped with the retired one.
 */
class ReaddedRouteTest {

    @Test
    void routeRemovedWhileBusyAndAddedBackStillReportsDemand() throws Exception {
        try (TestBackend backend = TestBackend.start("b")) {
            ManualEndpointSource source = new ManualEndpointSource();
            String withRoute = "routes:\n" + Interceptors.staticRoute("a", "/", backend.url(), null);
            InterceptorServer wakegate = Interceptors.start(withRoute, (route, config) -> source);
            try {
                HttpClient client = HttpClient.newHttpClient();
                source.ready(backend.port());
                CompletableFuture<HttpResponse<String>> slow = client.sendAsync(HttpRequest.newBuilder(URI.create(
                        base(wakegate) + "/slow?ms=1500")).build(), HttpResponse.BodyHandlers.ofString());
                await().until(() -> demand(wakegate).inFlight() == 1);

                wakegate.reload(Interceptors.config("routes: []\n"));   // removed while busy
                wakegate.reload(Interceptors.config(withRoute));         // added back
                assertThat(slow.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
                wakegate.reload(Interceptors.config(withRoute));         // a reload while idle

                source.ready(); // cold: the next request is held, and must show as demand
                CompletableFuture<HttpResponse<String>> held = client.sendAsync(HttpRequest.newBuilder(URI.create(
                        base(wakegate) + "/x")).build(), HttpResponse.BodyHandlers.ofString());
                await().until(() -> demand(wakegate).held() == 1);
                source.ready(backend.port());
                assertThat(held.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            } finally {
                wakegate.close();
            }
        }
    }

    @Test
    void routeRemovedWhileBusyStopsBeingReportedOnceDrainedWithoutAnotherReload() throws Exception {
        try (TestBackend backend = TestBackend.start("b")) {
            ManualEndpointSource source = new ManualEndpointSource();
            InterceptorServer wakegate = Interceptors.start("routes:\n"
                    + Interceptors.staticRoute("a", "/", backend.url(), null), (route, config) -> source);
            try {
                source.ready(backend.port());
                CompletableFuture<HttpResponse<String>> slow = HttpClient.newHttpClient().sendAsync(
                        HttpRequest.newBuilder(URI.create(base(wakegate) + "/slow?ms=500")).build(),
                        HttpResponse.BodyHandlers.ofString());
                await().until(() -> demand(wakegate).inFlight() == 1);

                wakegate.reload(Interceptors.config("routes: []\n")); // removed while busy
                assertThat(wakegate.demand().snapshot()).as("still reported while it drains")
                        .anyMatch(d -> d.route().equals("a"));
                assertThat(slow.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
                await().until(() -> wakegate.demand().snapshot().stream().noneMatch(d -> d.route().equals("a")));
            } finally {
                wakegate.close();
            }
        }
    }

    private static String base(InterceptorServer wakegate) {
        return "http://127.0.0.1:" + wakegate.proxyAddress().getPort();
    }

    private static RouteDemand demand(InterceptorServer wakegate) {
        return wakegate.demand().snapshot().stream().filter(d -> d.route().equals("a")).findFirst()
                .orElse(new RouteDemand("a", 0, 0, 0, 0, 0));
    }
}
