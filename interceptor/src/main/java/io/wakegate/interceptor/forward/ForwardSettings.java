package io.wakegate.interceptor.forward;

import java.time.Duration;
import java.util.List;

/**
 * Connection-level forwarding settings, shared by every route.
 *
 * @param connectTimeout                time to establish a backend connection
 * @param backendIdleTimeout            how long an unused pooled backend connection is kept
 * @param maxIdleConnectionsPerEndpoint pooled idle connections per endpoint and event loop
 * @param maxRequestBodySize            request body bytes at most (413 beyond)
 * @param maxResponseHeaderSize         response head bytes accepted from a backend
 * @param streamIdleTimeout             longest time an exchange or tunnel may move no byte
 * @param upgrades                      the {@code Upgrade} protocols forwarded, lower case
 * @param modelReadAhead                body bytes read at most to find a request's {@code model}
 * @param modelReadTimeout              time allowed to read the body as far as its {@code model}
 */
public record ForwardSettings(Duration connectTimeout, Duration backendIdleTimeout,
                              int maxIdleConnectionsPerEndpoint, long maxRequestBodySize,
                              int maxResponseHeaderSize, Duration streamIdleTimeout, List<String> upgrades,
                              int modelReadAhead, Duration modelReadTimeout) {

    public static final int DEFAULT_MAX_RESPONSE_HEADER_SIZE = 64 * 1024;
}
