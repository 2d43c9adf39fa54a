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
        int millis = (int) Math.max(1, timeout.toMillis());
        if (path == null) {
            try (Socket socket = new Socket()) {
                socket.connect(address, millis);
                return true;
            } catch (IOException e) {
                return false;
            }
        }
        HttpURLConnection connection = null;
        try {
            String host = address.getAddress().getHostAddress();
            if (host.indexOf(':') >= 0) {
                host = "[" + host + "]";
            }
            URI uri = URI.create("http://" + host + ":" + address.getPort() + path);
            connection = (HttpURLConnection) uri.toURL().openConnection();
            connection.setConnectTimeout(millis);
            connection.setReadTimeout(millis);
            connection.setInstanceFollowRedirects(false);
            connection.setUseCaches(false);
            int status = connection.getResponseCode();
            drain(connection);
            return status >= 200 && status < 300;
        } catch (IOException | IllegalArgumentException e) {
            return false;
        } finally {
            if (connection != null) {
                connection.disconnect();
            }
        }
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
