package io.wakegate.interceptor.admin;

import java.util.List;

/**
 * One route as {@code GET /api/routes} shows it.
 *
 * @param name                the route's name ({@code namespace/name} in Kubernetes mode)
 * @param backend             the backend kind: {@code static}, {@code process} or {@code kubernetes}
 * @param models              the OpenAI model names the route serves ({@code match.models}), sorted;
 *                            empty when it lists none
 * @param state               {@code sleeping}, {@code waking}, {@code ready} or {@code failed}
 * @param held                requests waiting for a ready endpoint now
 * @param inFlight            requests admitted to the backend and not finished
 * @param requestCount        requests received since start
 * @param lastColdStartMillis how long the last cold start took; null before the first
 * @param lastError           the last start failure, crash, probe error or rejection; null when none
 * @param lastErrorAt         when {@code lastError} happened (ISO-8601); null with it
 * @param pid                 the running process of a local process backend; null otherwise
 * @param coldStarts          the route's recent cold starts and what they predict
 * @param whileHeld           what a held client sees: keep-alives, waiting page, failover (each null when off)
 */
public record RouteStatus(String name, String backend, List<String> models, String state, int held, int inFlight,
                          long requestCount, Long lastColdStartMillis, String lastError, String lastErrorAt, Long pid,
                          ColdStarts coldStarts, WhileHeld whileHeld) {

    public RouteStatus {
        models = models == null ? List.of() : List.copyOf(models);
    }

    /**
     * @param observed          recent cold starts kept (at most {@link io.wakegate.interceptor.hold.ColdStarts#KEPT})
     * @param medianMillis      their median, what Retry-After and the waiting page are based on; null before the first
     * @param recentMillis      their durations, oldest first
     * @param currentMillis     how long the cold start under way has run; null when none is
     * @param retryAfterSeconds what a 503 queue-full would say in {@code Retry-After} now
     */
    public record ColdStarts(int observed, Long medianMillis, List<Long> recentMillis, Long currentMillis,
                             long retryAfterSeconds) {
    }

    /**
     * @param streamKeepAlive {@code afterMillis}, {@code intervalMillis}; null when off
     * @param waitingPage     {@code afterMillis}, {@code refreshMillis} (null: from cold starts), {@code template}
     *                        ({@code built-in} or {@code custom}); null when off
     * @param failover        {@code url}, {@code afterMillis} (null: not on time), {@code onQueueFull}, {@code ready};
     *                        null when off
     */
    public record WhileHeld(java.util.Map<String, Object> streamKeepAlive, java.util.Map<String, Object> waitingPage,
                            java.util.Map<String, Object> failover) {
    }
}
