package io.wakegate.interceptor.backend;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One readiness check of one address: an HTTP/1.1 GET with the given {@code Host}, expecting 2xx
 * (model servers answer 503 on {@code /health} while loading), or, without a path, a TCP connect. Blocking: runs on a probe
 * thread, never on an event loop.
 *
 * @param path    HTTP path to GET, or null for a TCP connect check
 * @param timeout connect and read timeout
 */
public record HealthProbe(String path, Duration timeout) {

    private static final int MAX_STATUS_LINE = 8 * 1024;

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
        // A raw request rather than HttpURLConnection, which will not send a Host of our choosing: a
        // backend served by name (a virtual host, an ingress) answers only its own name.
        String authority = hostHeader == null || hostHeader.isBlank() ? host + ":" + address.getPort() : hostHeader;
        try (Socket socket = new Socket()) {
            socket.connect(address, millis);
            socket.setSoTimeout(millis);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + authority
                    + "\r\nUser-Agent: wakegate-probe\r\nAccept: */*\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            int status = statusOf(readLine(in));
            drain(in);
            return status >= 200 && status < 300 ? null : "GET " + path + ": HTTP " + status;
        } catch (IOException | IllegalArgumentException e) {
            return "GET http://" + authority + path + " at " + host + ":" + address.getPort() + ": " + describe(e);
        }
    }

    /** Reads a little of the rest, so closing does not reset a server still writing; only the status matters. */
    private static void drain(InputStream in) {
        try {
            in.readNBytes(64 * 1024);
        } catch (IOException ignored) {
            // a server that keeps the connection open despite Connection: close times out here
        }
    }

    /** The status code of {@code HTTP/1.x NNN reason}. */
    private static int statusOf(String statusLine) throws IOException {
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || parts[1].length() != 3) {
            throw new IOException("not an HTTP/1 response: " + statusLine);
        }
        try {
            return Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("not an HTTP/1 response: " + statusLine);
        }
    }

    /** One line, at most {@link #MAX_STATUS_LINE} bytes, without its line end. */
    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0 || line.length() > MAX_STATUS_LINE) {
                throw new IOException("no status line");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    private static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
