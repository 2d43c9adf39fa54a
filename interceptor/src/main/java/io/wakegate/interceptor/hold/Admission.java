package io.wakegate.interceptor.hold;

import io.wakegate.interceptor.backend.Endpoint;
import io.wakegate.interceptor.http.Reason;

/**
 * What {@link RouteGate#acquire} decided: admitted to an endpoint now, held, or rejected.
 *
 * @param endpoint  the endpoint when admitted at once, else null
 * @param rejection why it was rejected, else null
 */
public record Admission(Endpoint endpoint, Reason rejection) {

    /** The request waits; its {@link RouteGate.Waiter} will be called. */
    public static final Admission HELD = new Admission(null, null);

    static Admission admitted(Endpoint endpoint) {
        return new Admission(endpoint, null);
    }

    static Admission rejected(Reason reason) {
        return new Admission(null, reason);
    }

    public boolean isHeld() {
        return endpoint == null && rejection == null;
    }
}
