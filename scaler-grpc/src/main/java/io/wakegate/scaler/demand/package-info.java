/**
 * The receiving end of the interceptors' demand streams ({@code wakegate.demand.v1.Demand}).
 * Start reading at {@link io.wakegate.scaler.demand.DemandService}.
 */
package io.wakegate.scaler.demand;
