package io.wakegate.interceptor.backend;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One address a route's requests can be sent to. The address is already resolved, so
 * connecting never resolves names on an event loop.
 *
 * <p>Identity matters: a source hands out the same instance for the same address for as long as
 * it is known, so the count of outstanding requests survives endpoint-list updates.
 */
public final class Endpoint {

    private final String name;
    private final InetSocketAddress address;
    private final AtomicInteger outstanding = new AtomicInteger();

    /**
     * @param name    how logs and admin output name it, e.g. {@code 127.0.0.1:8000} or a pod name
     * @param address a resolved address
     */
    public Endpoint(String name, InetSocketAddress address) {
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("address: " + address + " (expected: a resolved address)");
        }
        this.name = name;
        this.address = address;
    }

    public String name() {
        return name;
    }

    public InetSocketAddress address() {
        return address;
    }

    /** Requests admitted to this endpoint and not yet finished. */
    public int outstanding() {
        return outstanding.get();
    }

    /** Only the route gate that admits requests changes the count. */
    public int addOutstanding(int delta) {
        return outstanding.addAndGet(delta);
    }

    @Override
    public String toString() {
        return name;
    }
}
