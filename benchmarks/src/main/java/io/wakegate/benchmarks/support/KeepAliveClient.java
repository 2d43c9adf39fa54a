package io.wakegate.benchmarks.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A minimal blocking HTTP/1.1 keep-alive client over one socket: one request at a time, no
 * allocation per request beyond what the JDK's socket streams do. Understands
 * {@code content-length} and chunked bodies, which is all the benchmark backends send.
 * Not thread-safe: one per thread.
 */
public final class KeepAliveClient implements AutoCloseable {

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final byte[] buf = new byte[64 * 1024];
    private int pos;
    private int limit;

    public KeepAliveClient(String host, int port) throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(host, port), 5000);
        socket.setSoTimeout(30_000);
        out = socket.getOutputStream();
        in = socket.getInputStream();
    }

    /** The bytes of {@code GET path} with a Host header, to pass to {@link #exchange}. */
    public static byte[] get(String path, String host) {
        return ("GET " + path + " HTTP/1.1\r\nhost: " + host + "\r\nuser-agent: wakegate-bench\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** Sends {@code request} and reads the whole response; returns the status code. */
    public int exchange(byte[] request) throws IOException {
        out.write(request);
        out.flush();
        return readResponse();
    }

    /** Writes raw bytes without reading anything. */
    public void send(byte[] request) throws IOException {
        out.write(request);
        out.flush();
    }

    /** Blocks until one byte of a response is available; returns it (or -1 at end of stream). */
    public int firstByte() throws IOException {
        if (pos == limit && !fill()) {
            return -1;
        }
        return buf[pos] & 0xff;
    }

    /** Reads one response: status line, headers, body (fixed length or chunked). */
    public int readResponse() throws IOException {
        int status = -1;
        long length = -1;
        boolean chunked = false;
        boolean firstLine = true;
        while (true) {
            int start = lineEnd();
            int lineStart = pos;
            int lineLen = start - pos;
            pos = start + 2;
            if (firstLine) {
                status = (buf[lineStart + 9] - '0') * 100 + (buf[lineStart + 10] - '0') * 10 + (buf[lineStart + 11] - '0');
                firstLine = false;
                continue;
            }
            if (lineLen == 0) {
                break;
            }
            if (startsWithIgnoreCase(lineStart, lineLen, "content-length:")) {
                length = parseLong(lineStart + 15, lineStart + lineLen);
            } else if (startsWithIgnoreCase(lineStart, lineLen, "transfer-encoding:")) {
                chunked = true;
            }
        }
        if (chunked) {
            while (true) {
                int end = lineEnd();
                long size = parseHex(pos, end);
                pos = end + 2;
                if (size == 0) {
                    int e = lineEnd(); // trailers: none expected, just the final CRLF
                    pos = e + 2;
                    break;
                }
                skip(size + 2);
            }
        } else if (length > 0) {
            skip(length);
        }
        return status;
    }

    /** Reads one chunk-framed line of a chunked body (for SSE): returns its payload, or null at the end. */
    public String readChunk() throws IOException {
        int end = lineEnd();
        long size = parseHex(pos, end);
        pos = end + 2;
        if (size == 0) {
            pos = lineEnd() + 2;
            return null;
        }
        StringBuilder sb = new StringBuilder((int) size);
        long left = size;
        while (left > 0) {
            if (pos == limit && !fill()) {
                throw new IOException("connection closed in a chunk");
            }
            int n = (int) Math.min(left, limit - pos);
            sb.append(new String(buf, pos, n, StandardCharsets.US_ASCII));
            pos += n;
            left -= n;
        }
        pos = lineEnd() + 2;
        return sb.toString();
    }

    /** Skips a response's status line and headers; returns the status. */
    public int readHead() throws IOException {
        int end = lineEnd();
        int status = (buf[pos + 9] - '0') * 100 + (buf[pos + 10] - '0') * 10 + (buf[pos + 11] - '0');
        pos = end + 2;
        while (true) {
            end = lineEnd();
            boolean empty = end == pos;
            pos = end + 2;
            if (empty) {
                return status;
            }
        }
    }

    private int lineEnd() throws IOException {
        int off = 0; // bytes after pos already scanned
        while (true) {
            for (int i = pos + off; i + 1 < limit; i++) {
                if (buf[i] == '\r' && buf[i + 1] == '\n') {
                    return i;
                }
            }
            off = Math.max(0, limit - 1 - pos);
            if (!fill()) {
                throw new IOException("connection closed before the end of a line");
            }
        }
    }

    /** Reads more bytes, compacting the buffer first; false at end of stream. */
    private boolean fill() throws IOException {
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, limit - pos);
            limit -= pos;
            pos = 0;
        }
        if (limit == buf.length) {
            throw new IOException("line longer than " + buf.length + " bytes");
        }
        int n = in.read(buf, limit, buf.length - limit);
        if (n < 0) {
            return false;
        }
        limit += n;
        return true;
    }

    private void skip(long n) throws IOException {
        while (n > 0) {
            if (pos == limit) {
                pos = 0;
                limit = 0;
                int r = in.read(buf, 0, buf.length);
                if (r < 0) {
                    throw new IOException("connection closed in a body");
                }
                limit = r;
            }
            int k = (int) Math.min(n, limit - pos);
            pos += k;
            n -= k;
        }
    }

    private boolean startsWithIgnoreCase(int at, int len, String prefix) {
        if (len < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (Character.toLowerCase(buf[at + i]) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private long parseLong(int from, int to) {
        long v = 0;
        for (int i = from; i < to; i++) {
            byte b = buf[i];
            if (b >= '0' && b <= '9') {
                v = v * 10 + (b - '0');
            }
        }
        return v;
    }

    private long parseHex(int from, int to) {
        long v = 0;
        for (int i = from; i < to; i++) {
            int d = Character.digit(buf[i], 16);
            if (d < 0) {
                break; // chunk extensions
            }
            v = v * 16 + d;
        }
        return v;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
