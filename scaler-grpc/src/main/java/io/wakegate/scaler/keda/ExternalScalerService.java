package io.wakegate.scaler.keda;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.wakegate.proto.externalscaler.ExternalScalerGrpc;
import io.wakegate.proto.externalscaler.GetMetricSpecResponse;
import io.wakegate.proto.externalscaler.GetMetricsRequest;
import io.wakegate.proto.externalscaler.GetMetricsResponse;
import io.wakegate.proto.externalscaler.IsActiveResponse;
import io.wakegate.proto.externalscaler.MetricSpec;
import io.wakegate.proto.externalscaler.MetricValue;
import io.wakegate.proto.externalscaler.ScaledObjectRef;
import io.wakegate.scaler.aggregate.DemandAggregator;
import io.wakegate.scaler.aggregate.RouteStats;
import io.wakegate.scaler.metrics.ScalerMetrics;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * KEDA's {@code externalscaler.ExternalScaler}, answered from the {@link DemandAggregator}.
 *
 * <p>A route is active while anything is held or in flight, or while its metric's value
 * over the trigger's window is above {@code activationThreshold}. With no live
 * interceptor every route is inactive with value 0; with live interceptors, a route none
 * of them reports is rejected with INVALID_ARGUMENT naming {@code route}, as is any
 * malformed metadata (naming its key).
 *
 * <p>Logic only: the {@code ScalerServer} owns the lifecycle and calls {@link #reevaluate}
 * periodically and {@link #completeStreams} on shutdown. Thread-safe.
 */
public final class ExternalScalerService extends ExternalScalerGrpc.ExternalScalerImplBase {

    private static final Logger log = LoggerFactory.getLogger(ExternalScalerService.class);

    private final DemandAggregator aggregator;
    private final ScalerMetrics metrics;
    private final ActivityStreams activityStreams;
    private final Set<ServerCallStreamObserver<GetMetricSpecResponse>> specStreams =
            ConcurrentHashMap.newKeySet();

    public ExternalScalerService(DemandAggregator aggregator, ScalerMetrics metrics) {
        this.aggregator = aggregator;
        this.metrics = metrics;
        // an open stream whose route disappears reads as inactive, not as an error
        this.activityStreams = new ActivityStreams(
                md -> active(md, aggregator.stats(md.route(), md.window())), aggregator, metrics);
        aggregator.addChangeListener(activityStreams);
    }

    @Override
    public void isActive(ScaledObjectRef request, StreamObserver<IsActiveResponse> observer) {
        TriggerMetadata md;
        try {
            md = metadata(request);
            observer.onNext(IsActiveResponse.newBuilder().setResult(active(md)).build());
        } catch (StatusRuntimeException e) {
            observer.onError(e);
            return;
        }
        observer.onCompleted();
    }

    @Override
    public void streamIsActive(ScaledObjectRef request, StreamObserver<IsActiveResponse> observer) {
        TriggerMetadata md;
        try {
            md = metadata(request);
            stats(md); // rejects an unknown route
        } catch (StatusRuntimeException e) {
            observer.onError(e);
            return;
        }
        activityStreams.open(md, (ServerCallStreamObserver<IsActiveResponse>) observer);
    }

    @Override
    public void getMetricSpec(ScaledObjectRef request, StreamObserver<GetMetricSpecResponse> observer) {
        try {
            observer.onNext(spec(metadata(request)));
        } catch (StatusRuntimeException e) {
            observer.onError(e);
            return;
        }
        observer.onCompleted();
    }

    /**
     * Sends the spec once: targets come only from the trigger's metadata, which KEDA sends
     * with the call, so they cannot change while the stream is open. The stream stays open
     * until KEDA cancels it or the scaler shuts down.
     */
    @Override
    public void streamMetricSpec(ScaledObjectRef request,
                                 StreamObserver<GetMetricSpecResponse> observer) {
        GetMetricSpecResponse spec;
        try {
            spec = spec(metadata(request));
        } catch (StatusRuntimeException e) {
            observer.onError(e);
            return;
        }
        ServerCallStreamObserver<GetMetricSpecResponse> call =
                (ServerCallStreamObserver<GetMetricSpecResponse>) observer;
        call.setOnCancelHandler(() -> specStreams.remove(call));
        specStreams.add(call);
        synchronized (call) {
            call.onNext(spec);
        }
    }

    @Override
    public void getMetrics(GetMetricsRequest request, StreamObserver<GetMetricsResponse> observer) {
        GetMetricsResponse response;
        try {
            TriggerMetadata md = metadata(request.getScaledObjectRef());
            double value = value(md, stats(md));
            String name = request.getMetricName().isEmpty() ? md.metricName() : request.getMetricName();
            response = GetMetricsResponse.newBuilder()
                    .addMetricValues(MetricValue.newBuilder()
                            .setMetricName(name)
                            .setMetricValue(Math.round(value))
                            .setMetricValueFloat(value))
                    .build();
        } catch (StatusRuntimeException e) {
            observer.onError(e);
            return;
        }
        observer.onNext(response);
        observer.onCompleted();
    }

    /** Re-checks every open StreamIsActive stream (flips caused by time passing). */
    public void reevaluate() {
        activityStreams.reevaluateAll();
    }

    /** Completes every open stream; called when the server shuts down. */
    public void completeStreams() {
        activityStreams.completeAll();
        for (ServerCallStreamObserver<GetMetricSpecResponse> call : specStreams) {
            specStreams.remove(call);
            synchronized (call) {
                try {
                    call.onCompleted();
                } catch (RuntimeException ignored) {
                    // cancelled meanwhile
                }
            }
        }
    }

    /** Open StreamIsActive streams. */
    public int activityStreamCount() {
        return activityStreams.size();
    }

    private boolean active(TriggerMetadata md) {
        return active(md, stats(md));
    }

    private static boolean active(TriggerMetadata md, RouteStats stats) {
        return stats.busy() || value(md, stats) > md.activationThreshold();
    }

    private RouteStats stats(TriggerMetadata md) {
        RouteStats stats = aggregator.stats(md.route(), md.window());
        if (stats.liveInterceptors() > 0 && !stats.known()) {
            throw invalid(TriggerMetadata.ROUTE + ": " + md.route() + " (expected: a route that "
                    + "a live interceptor reports; none of the " + stats.liveInterceptors()
                    + " live interceptors does)");
        }
        return stats;
    }

    private static double value(TriggerMetadata md, RouteStats stats) {
        return md.metric() == TriggerMetadata.Metric.CONCURRENCY
                ? stats.avgConcurrency() : stats.requestRate();
    }

    private GetMetricSpecResponse spec(TriggerMetadata md) {
        stats(md); // rejects an unknown route like every other call
        return GetMetricSpecResponse.newBuilder()
                .addMetricSpecs(MetricSpec.newBuilder()
                        .setMetricName(md.metricName())
                        .setTargetSize(Math.max(1, Math.round(md.targetValue())))
                        .setTargetSizeFloat(md.targetValue()))
                .build();
    }

    private TriggerMetadata metadata(ScaledObjectRef ref) {
        try {
            return TriggerMetadata.parse(ref.getScalerMetadataMap(), aggregator.settings().maxWindow());
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
    }

    private StatusRuntimeException invalid(String message) {
        metrics.error("invalid_metadata");
        log.debug("rejected trigger metadata: {}", message);
        return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
    }
}
