package io.wakegate.interceptor.admin;

import static io.wakegate.interceptor.testing.LocalProcesses.chat;
import static io.wakegate.interceptor.testing.LocalProcesses.demoCommand;
import static io.wakegate.interceptor.testing.LocalProcesses.freePort;
import static io.wakegate.interceptor.testing.LocalProcesses.processRoute;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.wakegate.interceptor.InterceptorServer;
import io.wakegate.interceptor.testing.HeadlessChromium;
import io.wakegate.interceptor.testing.Interceptors;
import io.wakegate.interceptor.testing.LocalProcesses;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;

/**
 * The status page in a real headless Chromium, driven by Selenium through the system's
 * chromedriver (found on the PATH: Selenium may not download drivers). Without Chromium and
 * chromedriver the test is skipped — unless WAKEGATE_REQUIRE_BROWSER=1, when it fails.
 * Screenshots go to target/status-page-*.png.
 */
class StatusPageBrowserTest {

    @TempDir
    Path dir;

    private InterceptorServer server;
    private WebDriver browser;

    @BeforeEach
    void openBrowser() {
        browser = HeadlessChromium.open(1280, 560);
    }

    @AfterEach
    void close() {
        if (browser != null) {
            browser.quit();
        }
        if (server != null) {
            server.close();
        }
    }

    /** A demo process route on /v1 serving {@code models} (a YAML list). */
    private String demo(String name, String models, String loadTime) {
        int port = freePort();
        return processRoute(name, "{pathPrefixes: [/v1], models: " + models + "}", port,
                demoCommand(port, name + "-demo", loadTime, "10ms"), dir.resolve(name + ".log"), "idleTimeout: 10m",
                null);
    }

    /** The model chips under {@code route}'s name, as the page shows them now. */
    private List<String> shownModels(String route) {
        while (true) {
            try {
                return browser.findElements(By.cssSelector("tr[data-route='" + route + "'] .model")).stream()
                        .map(org.openqa.selenium.WebElement::getText).toList();
            } catch (org.openqa.selenium.StaleElementReferenceException e) {
                // re-rendered meanwhile: ask again
            }
        }
    }

    /** The state badge of {@code route}'s row, as the page shows it now. */
    private String shownState(String route) {
        List<org.openqa.selenium.WebElement> badge = browser.findElements(
                By.cssSelector("tr[data-route='" + route + "'] .state"));
        try {
            return badge.isEmpty() ? "" : badge.get(0).getText();
        } catch (org.openqa.selenium.StaleElementReferenceException e) {
            return ""; // re-rendered meanwhile: ask again
        }
    }

    private void awaitShown(String route, String state) {
        await().alias(route + " shown as " + state).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> shownState(route).equals(state));
    }

    private void screenshot(String name) throws Exception {
        HeadlessChromium.screenshot(browser, "status-page-" + name);
    }

    @Test
    void thePageShowsARouteWakingOnARequestAndItsWakeButtonWakesASleepingRoute() throws Exception {
        server = Interceptors.start("routes:\n" + demo("llama", "[llama-3.1-8b, llama-3.1-70b]", "3s")
                + demo("mistral", "[mistral-7b]", "1s")
                + Interceptors.staticRoute("embeddings", "/embeddings", "http://127.0.0.1:" + freePort(), null));
        browser.get("http://127.0.0.1:" + server.adminAddress().getPort() + "/");
        assertThat(browser.getTitle()).isEqualTo("Wakegate");
        awaitShown("llama", "sleeping");
        awaitShown("mistral", "sleeping");

        // Each route's models, under its name; none for a route without models.
        assertThat(shownModels("llama")).containsExactly("llama-3.1-70b", "llama-3.1-8b");
        assertThat(shownModels("mistral")).containsExactly("mistral-7b");
        awaitShown("embeddings", "sleeping");
        assertThat(shownModels("embeddings")).isEmpty();

        // A request naming a llama model: the page, polling on its own, shows llama waking, then ready.
        CompletableFuture<HttpResponse<String>> request = LocalProcesses.CLIENT.sendAsync(
                LocalProcesses.post(server, "llama", "/v1/chat/completions", chat("llama-3.1-8b", "hi", false, 8)),
                HttpResponse.BodyHandlers.ofString());
        awaitShown("llama", "waking");
        assertThat(browser.findElement(By.cssSelector("tr[data-route='llama'] .held")).getText()).isEqualTo("1");
        screenshot("waking");
        assertThat(request.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        awaitShown("llama", "ready");

        // The wake button starts mistral without any request (the call passes the Origin check).
        browser.findElement(By.cssSelector("button[data-action='wake'][data-route='mistral']")).click();
        awaitShown("mistral", "ready");
        assertThat(AdminCalls.route(server, "mistral").path("requestCount").asLong()).isZero();
        assertThat(AdminCalls.route(server, "mistral").path("pid").asLong()).isPositive();
        assertThat(browser.findElement(By.cssSelector("tr[data-route='llama'] .coldstart")).getText()).endsWith(" s");
        screenshot("ready");

        // And the sleep button stops it again.
        browser.findElement(By.cssSelector("button[data-action='sleep'][data-route='mistral']")).click();
        awaitShown("mistral", "sleeping");
        assertThat(browser.findElement(By.id("message")).getText()).isEqualTo("mistral: sleep → sleeping");
        assertThat(AdminCalls.route(server, "mistral").path("pid").isNull()).isTrue();
    }
}
