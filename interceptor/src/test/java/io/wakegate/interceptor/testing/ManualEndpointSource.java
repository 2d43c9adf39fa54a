package io.wakegate.interceptor.testing;

import io.wakegate.interceptor.backend.Endpoint;
import io.wakegate.interceptor.backend.EndpointListener;
import io.wakegate.interceptor.backend.EndpointSource;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An endpoint source the test drives: it reports exactly the endpoints the test sets. Stands in
 * for discovery only (static health checks, processes, EndpointSlices), never for the data path.
 */
public final class ManualEndpointSource implements EndpointSource {

    private volatile EndpointListener listener;
    private final AtomicInteger wakes = new AtomicInteger();
    private final AtomicInteger connectFailures = new AtomicInteger();
    private volatile boolean scaledByDemand;

    @Override
    public void start(EndpointListener listener) {
        this.listener = listener;
    }

    /** Reports these ports on 127.0.0.1 as the ready endpoints. */
    public List<Endpoint> ready(int... ports) {
        List<Endpoint> endpoints = new ArrayList<>();
        for (int port : ports) {
            endpoints.add(new Endpoint("127.0.0.1:" + port, new InetSocketAddress("127.0.0.1", port)));
        }
        listener.endpointsChanged(endpoints);
        return endpoints;
    }

    public void ready(List<Endpoint> endpoints) {
        listener.endpointsChanged(endpoints);
    }

    public void failStart(String detail) {
        listener.startFailed(io.wakegate.interceptor.backend.StartFailure.exited(detail));
    }

    public int wakes() {
        return wakes.get();
    }

    public int connectFailures() {
        return connectFailures.get();
    }

    /** Makes it stand in for a backend KEDA scales (Kubernetes mode). */
    public ManualEndpointSource scaledByDemand(boolean scaled) {
        this.scaledByDemand = scaled;
        return this;
    }

    @Override
    public boolean scaledByDemand() {
        return scaledByDemand;
    }

    @Override
    public void wake() {
        wakes.incrementAndGet();
    }

    @Override
    public void connectFailed(Endpoint endpoint) {
        connectFailures.incrementAndGet();
    }

    @Override
    public String state() {
        return "manual";
    }

    @Override
    public void close() {
    }
}
