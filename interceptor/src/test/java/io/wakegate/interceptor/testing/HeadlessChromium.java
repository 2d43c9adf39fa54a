package io.wakegate.interceptor.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A real headless Chromium for browser tests, driven through the system's chromedriver (found on
 * the PATH: Selenium Manager is never asked to find or fetch one). Without Chromium and
 * chromedriver the calling test is skipped — unless WAKEGATE_REQUIRE_BROWSER=1, when it fails.
 * The same rules as {@code admin.StatusPageBrowserTest}, for tests written after it.
 */
public final class HeadlessChromium {

    private HeadlessChromium() {
    }

    /** A new browser window of {@code width} x {@code height}; the caller quits it. */
    public static WebDriver open(int width, int height) {
        Optional<Path> driver = onPath("chromedriver");
        Optional<Path> chromium = onPath("chromium", "chromium-browser", "google-chrome");
        if (driver.isEmpty() || chromium.isEmpty()) {
            String missing = "no " + (driver.isEmpty() ? "chromedriver" : "chromium") + " on the PATH";
            if ("1".equals(System.getenv("WAKEGATE_REQUIRE_BROWSER"))) {
                throw new AssertionError("WAKEGATE_REQUIRE_BROWSER=1 but " + missing
                        + ": the browser tests must run (install chromium and chromium-driver)");
            }
            Assumptions.abort(missing + ": browser test skipped (set WAKEGATE_REQUIRE_BROWSER=1 to make this a failure)");
        }
        ChromeOptions options = new ChromeOptions()
                .setBinary(chromium.get().toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--window-size=" + width + "," + height);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(driver.get().toFile()).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    /** Saves what {@code browser} shows now as {@code target/<name>.png}, for a person to look at. */
    public static void screenshot(WebDriver browser, String name) throws IOException {
        Path target = Path.of("target", name + ".png");
        Files.createDirectories(target.getParent());
        Files.copy(((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(), target,
                StandardCopyOption.REPLACE_EXISTING);
    }

    /** The first of {@code names} that is an executable on the PATH. */
    static Optional<Path> onPath(String... names) {
        for (String entry : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : names) {
                Path candidate = Path.of(entry, name);
                if (!entry.isEmpty() && Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }
}
