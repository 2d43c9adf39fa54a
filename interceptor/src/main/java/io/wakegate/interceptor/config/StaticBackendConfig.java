package io.wakegate.interceptor.config;

import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * A backend at fixed URLs, probed for health; requests are held while none is healthy.
 *
 * @param urls        at least one; each {@code http://host:port}, normalised to carry an
 *                    explicit port (80 if absent) and no path
 * @param healthCheck how endpoints are probed
 */
public record StaticBackendConfig(List<URI> urls, HealthCheckConfig healthCheck) {

    public StaticBackendConfig {
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("urls: " + Checks.NO_URLS);
        }
        urls = urls.stream().map(url -> {
            Checks.require("urls", Checks.httpUrl(url));
            return Checks.normalise(url);
        }).toList();
        for (int i = 0; i < urls.size(); i++) {
            Checks.require("urls[" + i + "]", Checks.duplicateUrl(urls, i));
        }
        Objects.requireNonNull(healthCheck, "healthCheck");
    }
}
