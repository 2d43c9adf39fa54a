package io.wakegate.interceptor.backend;

import java.time.Instant;
import java.util.Objects;

/**
 * What an {@link EndpointSource} knows of its backend, for the admin API.
 *
 * @param kind        {@code static}, {@code process} or {@code kubernetes}
 * @param phase       the backend as the source sees it; the gate's ready set may say otherwise
 * @param lastError   the last start failure, crash or probe error; null when none
 * @param lastErrorAt when {@code lastError} happened; null with it
 * @param pid         the running process, or -1 (not a process, or none running)
 */
public record SourceStatus(String kind, Phase phase, String lastError, Instant lastErrorAt, long pid) {

    /** The states the admin API reports. */
    public enum Phase { SLEEPING, WAKING, READY, FAILED }

    public SourceStatus {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(phase, "phase");
        if (lastError == null) {
            lastErrorAt = null;
        }
    }
}
