package io.wakegate.scaler.keda;

import io.grpc.stub.ServerCallStreamObserver;
import io.wakegate.proto.externalscaler.IsActiveResponse;
import io.wakegate.scaler.aggregate.DemandAggregator;
import io.wakegate.scaler.metrics.ScalerMetrics;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The open {@code StreamIsActive} streams, by route. A stream is sent its route's state
 * once when opened and afterwards only when the state flips, never the same value twice.
 *
 * <p>Threading: {@link #changed} is called on the gRPC thread that applied a demand report
 * (so an activation is pushed from there, without waiting for a tick); {@link #reevaluateAll}
 * on the server's sweep thread, for flips that come from time passing (a window emptying,
 * an interceptor expiring). Each stream evaluates and sends under its own lock, so the
 * last evaluation is always the one sent; the aggregator's locks (a route's, briefly) are
 * taken inside it, never the other way round.
 */
final class ActivityStreams implements DemandAggregator.ChangeListener {

    private final Map<String, Set<Subscription>> byRoute = new ConcurrentHashMap<>();
    private final Predicate<TriggerMetadata> evaluator;
    private final DemandAggregator aggregator;
    private final ScalerMetrics metrics;

    ActivityStreams(Predicate<TriggerMetadata> evaluator, DemandAggregator aggregator,
                    ScalerMetrics metrics) {
        this.evaluator = evaluator;
        this.aggregator = aggregator;
        this.metrics = metrics;
    }

    /** Registers a stream; sends the current state as soon as the stream is ready. */
    void open(TriggerMetadata metadata, ServerCallStreamObserver<IsActiveResponse> observer) {
        Subscription sub = new Subscription(metadata, observer);
        observer.setOnCancelHandler(() -> sub.finish(false));
        observer.setOnReadyHandler(sub::flush);
        byRoute.compute(metadata.route(), (route, subs) -> {
            Set<Subscription> set = subs != null ? subs : ConcurrentHashMap.newKeySet();
            set.add(sub);
            return set;
        });
        metrics.activityStreamOpened();
        sub.evaluate(-1);
    }

    @Override
    public void changed(Set<String> routes, long receivedAtNanos) {
        for (String route : routes) {
            Set<Subscription> subs = byRoute.get(route);
            if (subs != null) {
                for (Subscription sub : subs) {
                    sub.evaluate(receivedAtNanos);
                }
            }
        }
    }

    /** Re-evaluates every stream; flips caused by time passing are sent from here. */
    void reevaluateAll() {
        for (Set<Subscription> subs : byRoute.values()) {
            for (Subscription sub : subs) {
                sub.evaluate(-1);
            }
        }
    }

    /** Completes every stream (server shutdown): KEDA reconnects to another replica. */
    void completeAll() {
        for (Set<Subscription> subs : byRoute.values()) {
            for (Subscription sub : subs) {
                sub.finish(true);
            }
        }
    }

    int size() {
        return byRoute.values().stream().mapToInt(Set::size).sum();
    }

    private final class Subscription {
        private final TriggerMetadata metadata;
        private final ServerCallStreamObserver<IsActiveResponse> observer;
        private Boolean sent;
        private boolean desired;
        private long activatedAtNanos = -1;
        private boolean done;

        Subscription(TriggerMetadata metadata, ServerCallStreamObserver<IsActiveResponse> observer) {
            this.metadata = metadata;
            this.observer = observer;
        }

        /**
         * @param reportReceivedAtNanos when the report that may have flipped the state
         *                              arrived, or -1 for a timed re-evaluation
         */
        synchronized void evaluate(long reportReceivedAtNanos) {
            if (done) {
                return;
            }
            boolean active;
            try {
                active = evaluator.test(metadata);
            } catch (RuntimeException e) {
                metrics.error("activity_stream");
                return;
            }
            if (active && !desired) {
                activatedAtNanos = reportReceivedAtNanos;
            }
            desired = active;
            flush();
        }

        synchronized void flush() {
            if (done || (sent != null && sent == desired) || !observer.isReady()) {
                return;
            }
            boolean transition = sent != null;
            sent = desired; // before onNext: a direct executor may re-enter flush() from it
            try {
                observer.onNext(IsActiveResponse.newBuilder().setResult(desired).build());
            } catch (RuntimeException e) { // cancelled between isReady and onNext
                metrics.error("activity_stream");
                finish(false);
                return;
            }
            if (transition) {
                metrics.pushed(desired);
            }
            if (desired && activatedAtNanos >= 0) {
                metrics.pushLatency(aggregator.nanoTime() - activatedAtNanos);
            }
            activatedAtNanos = -1;
        }

        synchronized void finish(boolean complete) {
            if (done) {
                return;
            }
            done = true;
            byRoute.computeIfPresent(metadata.route(), (route, subs) -> {
                subs.remove(this);
                return subs.isEmpty() ? null : subs;
            });
            metrics.activityStreamClosed();
            if (complete) {
                try {
                    observer.onCompleted();
                } catch (RuntimeException ignored) {
                    // already cancelled by the client: nothing to complete
                }
            }
        }
    }
}
