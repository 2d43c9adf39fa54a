/**
 * Pushes this interceptor's demand to every scaler replica over the
 * {@code wakegate.demand.v1.Demand} stream: one stream per resolved scaler address, full
 * state on every new stream, changes at a steady interval while there is demand, and an
 * immediate report when a route activates. Start reading at
 * {@link io.wakegate.interceptor.demand.report.DemandReporter}; configure it with
 * {@link io.wakegate.interceptor.demand.report.DemandReporterSettings}.
 */
package io.wakegate.interceptor.demand.report;
