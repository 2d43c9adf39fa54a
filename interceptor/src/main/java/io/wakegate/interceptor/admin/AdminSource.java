package io.wakegate.interceptor.admin;

/** What the admin endpoints report. Called on the admin event loop; implementations must not block. */
public interface AdminSource {

    /** Whether this instance should receive traffic (false from the start of shutdown). */
    boolean ready();

    /** Prometheus text exposition. */
    String metrics();

    /** The {@code /queue} document, serialised with Jackson. */
    Object queue();

    /** The routes' status and controls, for {@code /api/routes}. */
    RouteControl routes();
}
