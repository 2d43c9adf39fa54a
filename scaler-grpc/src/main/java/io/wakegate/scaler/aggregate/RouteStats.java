package io.wakegate.scaler.aggregate;

/**
 * One route's aggregated demand at one instant, summed over live interceptors.
 *
 * @param known            whether at least one live interceptor reports the route
 * @param liveInterceptors live interceptors in the whole scaler (not only this route's)
 * @param held             requests held now
 * @param inFlight         requests in flight now
 * @param avgConcurrency   {@code held + inFlight} averaged over the window, from the
 *                         reported time-integrals
 * @param requestRate      requests per second over the window
 */
public record RouteStats(boolean known, int liveInterceptors, int held, int inFlight,
                         double avgConcurrency, double requestRate) {

    /** Whether anything is held or in flight now. */
    public boolean busy() {
        return held > 0 || inFlight > 0;
    }
}
