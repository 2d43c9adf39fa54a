package io.wakegate.interceptor.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A loopback port held until a test starts its server there: a bound socket that neither listens
 * nor connects, so a connect to the port is refused as if nothing were there, yet the kernel cannot
 * hand the port to anyone else meanwhile — not even as the source port of an outgoing connection,
 * which is what took a port that was merely bound and released (a health probe's connect, a client's).
 */
public final class ReservedPort implements AutoCloseable {

    private final Socket holder = new Socket();
    private final int port;

    public ReservedPort() {
        try {
            holder.setReuseAddress(true);
            holder.bind(new InetSocketAddress("127.0.0.1", 0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        port = holder.getLocalPort();
    }

    public int port() {
        return port;
    }

    /** Lets the port go: call right before binding a server to it. */
    @Override
    public void close() {
        try {
            holder.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
