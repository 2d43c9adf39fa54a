package io.wakegate.controller.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The admin HTTP server on the JDK's {@code com.sun.net.httpserver}, served by one daemon thread
 * (the handlers only read volatile state and render the registry; nothing blocks on the API server).
 *
 * <ul>
 *   <li>{@code GET /healthz}: 200 while the process runs (liveness);</li>
 *   <li>{@code GET /readyz}: 200 when {@code ready} says so, else 503 (readiness);</li>
 *   <li>{@code GET /metrics}: the Prometheus text exposition.</li>
 * </ul>
 */
public final class AdminServer implements AutoCloseable {

  static final String PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final HttpServer server;
  private final ExecutorService executor;

  /**
   * @param address where to bind (port 0 for any free port)
   * @param scrape renders {@code /metrics}
   * @param ready what {@code /readyz} answers 200 for
   */
  public AdminServer(InetSocketAddress address, Supplier<String> scrape, BooleanSupplier ready) throws IOException {
    server = HttpServer.create(address, 16);
    executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "wakegate-controller-admin");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/healthz", ex -> send(ex, 200, "text/plain", "ok\n"));
    server.createContext("/readyz", ex -> {
      boolean ok = ready.getAsBoolean();
      send(ex, ok ? 200 : 503, "text/plain", ok ? "ready\n" : "informer caches not synced\n");
    });
    server.createContext("/metrics", ex -> send(ex, 200, PROMETHEUS_TYPE, scrape.get()));
  }

  /** Binds every interface on {@code port}. */
  public static AdminServer onPort(int port, Supplier<String> scrape, BooleanSupplier ready) throws IOException {
    return new AdminServer(new InetSocketAddress(port), scrape, ready);
  }

  /** Binds the loopback interface (tests). */
  public static AdminServer onLoopback(int port, Supplier<String> scrape, BooleanSupplier ready) throws IOException {
    return new AdminServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), scrape, ready);
  }

  public AdminServer start() {
    server.start();
    return this;
  }

  /** The bound port (useful after binding port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  /** Answers GET and HEAD (headers only) with {@code body}; any other method with 405. */
  private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      boolean head = method.equals("HEAD");
      if (!head && !method.equals("GET")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", contentType);
      exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
      if (!head) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(bytes);
        }
      }
    }
  }
}
