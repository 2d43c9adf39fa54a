package io.wakegate.scaler;

import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.wakegate.proto.demand.DemandGrpc;
import io.wakegate.proto.demand.DemandReport;
import io.wakegate.proto.demand.ReportAck;
import io.wakegate.proto.demand.RouteDemand;
import io.wakegate.proto.externalscaler.IsActiveResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/** Test helpers: demand reports, a manual clock and a bare-bones reporting client. */
public final class Reports {

    private Reports() {
    }

    public static RouteDemand route(String name, int held, int inFlight, long requests, long concurrencyNanos) {
        return RouteDemand.newBuilder().setRoute(name).setHeld(held).setInFlight(inFlight)
                .setRequestCount(requests).setConcurrencyNanos(concurrencyNanos).build();
    }

    public static DemandReport report(String id, long seq, boolean full, RouteDemand... routes) {
        return DemandReport.newBuilder().setInterceptorId(id).setSequence(seq)
                .setIntervalMillis(100).setFullState(full).addAllRoutes(List.of(routes)).build();
    }

    /** Collects StreamIsActive values into {@code seen}; sets {@code completed} on completion. */
    public static StreamObserver<IsActiveResponse> collect(List<Boolean> seen, AtomicBoolean completed) {
        return new StreamObserver<>() {
            @Override
            public void onNext(IsActiveResponse value) {
                seen.add(value.getResult());
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
                completed.set(true);
            }
        };
    }

    /** A clock tests move by hand. */
    public static final class ManualTicker implements LongSupplier {
        private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

        @Override
        public long getAsLong() {
            return nanos.get();
        }

        public void advanceMillis(long millis) {
            nanos.addAndGet(millis * 1_000_000L);
        }
    }

    /** One raw demand stream, the way an interceptor would open it. */
    public static final class FakeInterceptor implements AutoCloseable {
        public final String id;
        public final List<ReportAck> acks = new CopyOnWriteArrayList<>();
        public final AtomicReference<Throwable> error = new AtomicReference<>();
        private final StreamObserver<DemandReport> requests;
        private long seq;

        public FakeInterceptor(ManagedChannel channel, String id) {
            this.id = id;
            this.requests = DemandGrpc.newStub(channel).report(new StreamObserver<>() {
                @Override
                public void onNext(ReportAck value) {
                    acks.add(value);
                }

                @Override
                public void onError(Throwable t) {
                    error.set(t);
                }

                @Override
                public void onCompleted() {
                }
            });
        }

        /** Sends a report; the first one is sent as full state. */
        public synchronized FakeInterceptor send(RouteDemand... routes) {
            seq++;
            requests.onNext(report(id, seq, seq == 1, routes));
            return this;
        }

        public synchronized void sendRaw(DemandReport report) {
            requests.onNext(report);
        }

        @Override
        public void close() {
            requests.onCompleted();
        }
    }
}
