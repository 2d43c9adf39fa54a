package io.wakegate.scaler.demand;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.wakegate.proto.demand.DemandGrpc;
import io.wakegate.proto.demand.DemandReport;
import io.wakegate.proto.demand.ReportAck;
import io.wakegate.scaler.aggregate.DemandAggregator;
import io.wakegate.scaler.metrics.ScalerMetrics;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives {@code Demand.Report} streams: binds each stream to an aggregator session,
 * applies every report, acknowledges the first one, and ends the stream with
 * INVALID_ARGUMENT (naming the field) on a malformed report.
 *
 * <p>Logic only; {@code ScalerServer} calls {@link #completeStreams} on shutdown so that
 * interceptors reconnect to another replica at once. Thread-safe: gRPC delivers one
 * stream's messages serially; responses to one stream are serialized on its state.
 */
public final class DemandService extends DemandGrpc.DemandImplBase {

    private static final Logger log = LoggerFactory.getLogger(DemandService.class);

    private final DemandAggregator aggregator;
    private final ScalerMetrics metrics;
    private final String scalerId;
    private final Set<Stream> streams = ConcurrentHashMap.newKeySet();

    public DemandService(DemandAggregator aggregator, ScalerMetrics metrics, String scalerId) {
        this.aggregator = aggregator;
        this.metrics = metrics;
        this.scalerId = scalerId;
    }

    @Override
    public StreamObserver<DemandReport> report(StreamObserver<ReportAck> responses) {
        Stream stream = new Stream((ServerCallStreamObserver<ReportAck>) responses);
        streams.add(stream);
        metrics.demandStreamOpened();
        return stream;
    }

    /** Completes every open stream (server shutdown). */
    public void completeStreams() {
        for (Stream s : streams) {
            s.end(null);
        }
    }

    /** Open demand streams. */
    public int streamCount() {
        return streams.size();
    }

    private final class Stream implements StreamObserver<DemandReport> {
        private final ServerCallStreamObserver<ReportAck> responses;
        private final DemandAggregator.Session session = aggregator.openSession();
        private boolean acked;
        private boolean done;

        Stream(ServerCallStreamObserver<ReportAck> responses) {
            this.responses = responses;
            responses.setOnCancelHandler(() -> finish(false, null));
        }

        @Override
        public void onNext(DemandReport report) {
            synchronized (this) {
                if (done) {
                    return;
                }
            }
            DemandAggregator.Outcome outcome;
            try {
                outcome = aggregator.apply(session, report);
            } catch (IllegalArgumentException e) {
                metrics.error("invalid_report");
                log.warn("rejected demand report from {}: {}", report.getInterceptorId(), e.getMessage());
                end(Status.INVALID_ARGUMENT.withDescription(e.getMessage()));
                return;
            } catch (RuntimeException e) {
                metrics.error("internal");
                log.error("failed to apply demand report from {}", report.getInterceptorId(), e);
                end(Status.INTERNAL.withDescription("failed to apply report"));
                return;
            }
            synchronized (this) {
                if (!acked && !done && outcome == DemandAggregator.Outcome.ACCEPTED) {
                    acked = true;
                    responses.onNext(ReportAck.newBuilder()
                            .setScalerId(scalerId).setSequence(report.getSequence()).build());
                }
            }
        }

        @Override
        public void onError(Throwable t) {
            // the interceptor went away or cancelled: its expiry clock starts now
            finish(false, null);
        }

        @Override
        public void onCompleted() {
            end(null);
        }

        /** Ends the stream from our side: OK when status is null. */
        void end(Status status) {
            finish(true, status);
        }

        private void finish(boolean respond, Status status) {
            synchronized (this) {
                if (done) {
                    return;
                }
                done = true;
                if (respond) {
                    try {
                        if (status == null) {
                            responses.onCompleted();
                        } else {
                            responses.onError(status.asRuntimeException());
                        }
                    } catch (RuntimeException ignored) {
                        // already cancelled
                    }
                }
            }
            aggregator.close(session);
            streams.remove(this);
            metrics.demandStreamClosed();
        }
    }
}
