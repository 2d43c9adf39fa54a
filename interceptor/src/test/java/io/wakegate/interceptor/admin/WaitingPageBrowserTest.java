package io.wakegate.interceptor.admin;

import static io.wakegate.interceptor.testing.LocalProcesses.demoCommand;
import static io.wakegate.interceptor.testing.LocalProcesses.freePort;
import static io.wakegate.interceptor.testing.LocalProcesses.processRoute;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.wakegate.interceptor.InterceptorServer;
import io.wakegate.interceptor.testing.HeadlessChromium;
import io.wakegate.interceptor.testing.Interceptors;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * The waiting page ({@code hold.waitingPage}) in a real headless Chromium: a browser opening a
 * sleeping route's URL gets the page at once, the route's process starts meanwhile, and the page
 * reloads itself until the model's own answer is shown — the test never reloads. Skipped without
 * Chromium and chromedriver, failed then under WAKEGATE_REQUIRE_BROWSER=1 (see
 * {@link HeadlessChromium}). Screenshots go to target/waiting-page-*.png.
 */
class WaitingPageBrowserTest {

    @TempDir
    Path dir;

    private InterceptorServer server;
    private WebDriver browser;

    @BeforeEach
    void openBrowser() {
        browser = HeadlessChromium.open(1024, 560);
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

    /** The text of the element with {@code id} as the page shows it now; null when there is none. */
    private String shown(String id) {
        List<WebElement> found = browser.findElements(By.id(id));
        try {
            return found.isEmpty() ? null : found.get(0).getText();
        } catch (StaleElementReferenceException e) {
            return null; // the page reloaded meanwhile: ask again
        }
    }

    private double waitingPagesServed(String route) {
        return server.metrics().registry().get("wakegate.interceptor.waiting.pages").tag("route", route)
                .counter().count();
    }

    @Test
    void aBrowserSeesTheWaitingPageWhichReloadsItselfUntilTheWokenModelAnswers() throws Exception {
        int port = freePort();
        server = Interceptors.start("routes:\n" + processRoute("llama", "{pathPrefixes: [/v1]}", port,
                demoCommand(port, "llama-demo", "4s", "10ms"), dir.resolve("llama.log"), "idleTimeout: 10m",
                "waitingPage: {after: 0s, refresh: 1s}"));
        assertThat(AdminCalls.state(server, "llama")).isEqualTo("sleeping");
        String url = Interceptors.base(server) + "/v1/models";

        long opened = System.nanoTime();
        browser.get(url);
        // The waiting page, while the process loads: the route named, the time waited shown.
        assertThat(browser.getTitle()).isEqualTo("Waking llama");
        assertThat(shown("route")).isEqualTo("llama");
        assertThat(shown("model")).isEqualTo("llama");
        assertThat(shown("elapsed")).matches("\\d+");
        assertThat(shown("expected")).isEqualTo("a while; none was observed yet");
        // The page holds nothing: the browser's request was answered, the wake goes on without it.
        JsonNode status = AdminCalls.route(server, "llama");
        assertThat(status.path("held").asInt()).isZero();
        // Not held, yet the route's demand stays up between reloads (a wake per page shown).
        assertThat(Interceptors.demand(server, "llama").held()).isPositive();
        assertThat(status.at("/whileHeld/waitingPage/refreshMillis").asLong()).isEqualTo(1000);
        assertThat(status.at("/whileHeld/waitingPage/template").asText()).isEqualTo("built-in");
        await().atMost(Duration.ofSeconds(5)).until(() -> AdminCalls.state(server, "llama").equals("waking"));
        HeadlessChromium.screenshot(browser, "waiting-page-waiting");

        // Left alone, the page reloads itself (each reload another waiting page, its clock going on)
        // until the model answers the same URL.
        AtomicLong mostElapsed = new AtomicLong(-1);
        await().alias("the model's answer shown").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    String elapsed = shown("elapsed");
                    if (elapsed != null && elapsed.matches("\\d+")) {
                        mostElapsed.accumulateAndGet(Long.parseLong(elapsed), Math::max);
                    }
                    return browser.getPageSource().contains("\"llama-demo\"");
                });
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - opened);
        HeadlessChromium.screenshot(browser, "waiting-page-answered");
        assertThat(tookMillis).as("the demo model loads for 4 s after its process starts").isGreaterThanOrEqualTo(4000);
        assertThat(browser.getCurrentUrl()).isEqualTo(url);
        assertThat(browser.getTitle()).doesNotStartWith("Waking");
        assertThat(shown("route")).isNull();
        assertThat(waitingPagesServed("llama")).as("waiting pages served: the first and at least one reload")
                .isGreaterThanOrEqualTo(2.0);
        assertThat(mostElapsed.get()).as("the time waited, on a reloaded page").isGreaterThanOrEqualTo(1);

        // The route woke once for all those pages, and is ready.
        assertThat(AdminCalls.state(server, "llama")).isEqualTo("ready");
        status = AdminCalls.route(server, "llama");
        assertThat(status.path("pid").asLong()).isPositive();
        assertThat(status.at("/coldStarts/observed").asInt()).isEqualTo(1);
        assertThat(status.path("held").asInt()).isZero();
        Interceptors.awaitCountersZero(server);
    }
}
