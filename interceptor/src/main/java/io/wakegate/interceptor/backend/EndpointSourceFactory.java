package io.wakegate.interceptor.backend;

import io.wakegate.interceptor.config.BackendConfig;

/** Creates the endpoint source for a route's configured backend. */
@FunctionalInterface
public interface EndpointSourceFactory {

    /** A new, not yet started, source for {@code backend} of {@code route}. */
    EndpointSource create(String route, BackendConfig backend);
}
