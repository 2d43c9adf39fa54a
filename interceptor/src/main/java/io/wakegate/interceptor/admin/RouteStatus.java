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
 */
public record RouteStatus(String name, String backend, List<String> models, String state, int held, int inFlight,
                          long requestCount, Long lastColdStartMillis, String lastError, String lastErrorAt, Long pid) {

    public RouteStatus {
        models = models == null ? List.of() : List.copyOf(models);
    }
}
