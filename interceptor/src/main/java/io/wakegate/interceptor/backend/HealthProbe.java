package io.wakegate.interceptor.backend;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;

/**
 * One readiness check of one address: an HTTP GET expecting 2xx (model servers answer 503 on
 * {@code /health} while loading), or, without a path, a TCP connect. Blocking: runs on a probe
 * thread, never on an event loop.
 *
 * @param path    HTTP path to GET, or null for a TCP connect check
 * @param timeout connect and read timeout
 */
public record HealthProbe(String path, Duration timeout) {

    /** Whether {@code address} (with {@code hostHeader} for HTTP) is ready now. */
    public boolean check(InetSocketAddress address, String hostHeader) {
        return failure(address, hostHeader) == null;
    }

    /**
     * Checks {@code address} once: null when it is ready, otherwise why not, e.g.
     * {@code connect to 127.0.0.1:8000: Connection refused} or {@code GET /health: HTTP 503}.
     */
    public String failure(InetSocketAddress address, String hostHeader) {
        int millis = (int) Math.max(1, timeout.toMillis());
        String host = address.getAddress().getHostAddress();
        if (host.indexOf(':') >= 0) {
            host = "[" + host + "]";
        }
        if (path == null) {
            try (Socket socket = new Socket()) {
                socket.connect(address, millis);
                return null;
            } catch (IOException e) {
                return "connect to " + host + ":" + address.getPort() + ": " + describe(e);
            }
        }
        HttpURLConnection connection = null;
        try {
            URI uri = URI.create("http://" + host + ":" + address.getPort() + path);
            connection = (HttpURLConnection) uri.toURL().openConnection();
            connection.setConnectTimeout(millis);
            connection.setReadTimeout(millis);
            connection.setInstanceFollowRedirects(false);
            connection.setUseCaches(false);
            int status = connection.getResponseCode();
            drain(connection);
            return status >= 200 && status < 300 ? null : "GET " + path + ": HTTP " + status;
        } catch (IOException | IllegalArgumentException e) {
            return "GET http://" + host + ":" + address.getPort() + path + ": " + describe(e);
        } finally {
            if (connection != null) {
                connection.disconnect();
            }
        }
    }

    private static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static void drain(HttpURLConnection connection) {
        try {
            InputStream in = connection.getResponseCode() >= 400
                    ? connection.getErrorStream() : connection.getInputStream();
            if (in != null) {
                try (in) {
                    in.readNBytes(64 * 1024);
                }
            }
        } catch (IOException ignored) {
            // only the status matters
        }
    }
}
