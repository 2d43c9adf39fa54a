package io.wakegate.interceptor.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A raw HTTP/1.1 client over a plain socket, for inputs a real client refuses to send (smuggling,
 * malformed heads) and for checking exact response framing. Reads are bounded by a socket timeout.
 */
public final class RawHttp implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawHttp(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    public static RawHttp connect(int port) throws IOException {
        return connect(port, 0);
    }

    /** Connects; a positive {@code receiveBuffer} shrinks the socket's receive buffer (a slow reader). */
    public static RawHttp connect(int port, int receiveBuffer) throws IOException {
        Socket s = new Socket();
        if (receiveBuffer > 0) {
            s.setReceiveBufferSize(receiveBuffer);
        }
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(10_000);
        return new RawHttp(s);
    }

    public RawHttp send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    public RawHttp send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    public InputStream input() {
        return in;
    }

    public Socket socket() {
        return socket;
    }

    /** Everything the server sends until it closes the connection. */
    public String readUntilClose() throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) >= 0) {
            all.write(buf, 0, n);
        }
        return all.toString(StandardCharsets.ISO_8859_1);
    }

    /** Whether the server closed the connection (EOF or reset) within the socket timeout. */
    public boolean closedByPeer() throws IOException {
        try {
            byte[] buf = new byte[8192];
            while (true) {
                if (in.read(buf) < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    /** Reads one response; {@code head} marks a response to HEAD (never a body). */
    public Response readResponse(boolean head) throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        String statusLine = readLine(raw);
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, List<String>> headers = readFields(raw);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        Map<String, List<String>> trailers = new LinkedHashMap<>();
        boolean bodyless = head || status < 200 || status == 204 || status == 304;
        String te = first(headers, "transfer-encoding");
        String cl = first(headers, "content-length");
        if (!bodyless) {
            if (te != null && te.toLowerCase(Locale.ROOT).endsWith("chunked")) {
                while (true) {
                    String sizeLine = readLine(raw);
                    int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
                    if (size == 0) {
                        trailers = readFields(raw);
                        break;
                    }
                    byte[] chunk = in.readNBytes(size);
                    if (chunk.length < size) {
                        throw new EOFException("connection closed inside a chunk");
                    }
                    raw.write(chunk);
                    body.write(chunk);
                    readLine(raw);
                }
            } else if (cl != null) {
                int length = Integer.parseInt(cl);
                byte[] b = in.readNBytes(length);
                if (b.length < length) {
                    throw new EOFException("connection closed after " + b.length + " of " + length + " bytes");
                }
                raw.write(b);
                body.write(b);
            } else {
                byte[] b = in.readAllBytes();
                raw.write(b);
                body.write(b);
            }
        }
        return new Response(status, headers, body.toString(StandardCharsets.ISO_8859_1), trailers,
                raw.toString(StandardCharsets.ISO_8859_1));
    }

    private String readLine(ByteArrayOutputStream raw) throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("connection closed; line so far: " + line);
            }
            raw.write(c);
            if (c == '\n') {
                int len = line.length();
                if (len > 0 && line.charAt(len - 1) == '\r') {
                    line.setLength(len - 1);
                }
                return line.toString();
            }
            line.append((char) c);
        }
    }

    private Map<String, List<String>> readFields(ByteArrayOutputStream raw) throws IOException {
        Map<String, List<String>> fields = new LinkedHashMap<>();
        String line;
        while (!(line = readLine(raw)).isEmpty()) {
            int colon = line.indexOf(':');
            fields.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(line.substring(colon + 1).trim());
        }
        return fields;
    }

    private static String first(Map<String, List<String>> fields, String name) {
        List<String> v = fields.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** One parsed response; {@code raw} is its exact bytes as text (ISO-8859-1). */
    public record Response(int status, Map<String, List<String>> headers, String body,
                           Map<String, List<String>> trailers, String raw) {
        public String header(String name) {
            return first(headers, name.toLowerCase(Locale.ROOT));
        }

        public boolean hasHeader(String name) {
            return headers.containsKey(name.toLowerCase(Locale.ROOT));
        }
    }
}
