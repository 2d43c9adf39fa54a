package io.wakegate.interceptor.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A blocking HTTP/1.1 backend on loopback that does, per request head, what a script says —
 * for the misbehaviour a well-behaved server never shows (closing a keep-alive connection right
 * after reading a request, never answering, an unsolicited 101). It reads heads only: a request
 * body is left unread, to be drained by {@link After#DRAIN}. One thread per connection.
 */
public final class ScriptedBackend implements AutoCloseable {

    /** What the connection does after a reply. */
    public enum After {
        /** Read the next request head. */
        NEXT,
        /** Close at once. */
        CLOSE,
        /** Stop writing, read until the peer closes, then close (a lingering close). */
        DRAIN
    }

    /** Bytes to write (may be empty), then what to do. */
    public record Step(String reply, After after) {
        /** 200 with body {@code ok}, keep-alive. */
        public static final Step ANSWER = new Step("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok", After.NEXT);
        /** Close the connection without answering. */
        public static final Step CLOSE = new Step("", After.CLOSE);
        /** Never answer; keep the connection open until the peer closes it. */
        public static final Step SILENT = new Step("", After.DRAIN);

        public static Step reply(String raw, After after) {
            return new Step(raw, after);
        }
    }

    /** What to do with request {@code request} (from 0) on connection {@code connection} (from 0). */
    public interface Script {
        Step step(int connection, int request);
    }

    private final ServerSocket server;
    private final Script script;
    private final AtomicInteger connections = new AtomicInteger();
    private final List<String> heads = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    private ScriptedBackend(Script script) throws IOException {
        this.script = script;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "scripted-backend");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public static ScriptedBackend start(Script script) throws IOException {
        return new ScriptedBackend(script);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    /** Every request head received, in order, as its request line. */
    public List<String> heads() {
        return List.copyOf(heads);
    }

    private void accept() {
        try {
            while (true) {
                Socket s = server.accept();
                sockets.add(s);
                int index = connections.getAndIncrement();
                Thread t = new Thread(() -> serve(s, index), "scripted-backend-" + index);
                t.setDaemon(true);
                t.start();
            }
        } catch (IOException closed) {
            // stopped
        }
    }

    private void serve(Socket s, int connection) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            for (int request = 0; ; request++) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                heads.add(head.substring(0, head.indexOf("\r\n")));
                Step step = script.step(connection, request);
                out.write(step.reply().getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                switch (step.after()) {
                    case NEXT -> {
                    }
                    case CLOSE -> {
                        return;
                    }
                    case DRAIN -> {
                        if (!step.reply().isEmpty()) {
                            s.shutdownOutput();
                        }
                        while (in.read() >= 0) {
                            // until the peer closes
                        }
                        return;
                    }
                }
            }
        } catch (SocketException gone) {
            // the peer closed
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The next head up to its blank line, or null at the end of the stream. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < end.length) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
