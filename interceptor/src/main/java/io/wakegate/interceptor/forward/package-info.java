/**
 * Forwarding: the per-connection {@link io.wakegate.interceptor.forward.ProxyHandler}, one
 * {@link io.wakegate.interceptor.forward.Exchange} per request (held → connecting → forwarding →
 * done, or a tunnel), pooled backend connections per event loop and endpoint
 * ({@link io.wakegate.interceptor.forward.BackendPools}), the raw byte relay for upgraded
 * connections ({@link io.wakegate.interceptor.forward.TunnelHandler}), and h2c prior knowledge
 * ({@link io.wakegate.interceptor.forward.H2cDetector} → {@code H2cConnection}: routed by the
 * first HEADERS frame, then relayed as bytes).
 *
 * <p>Threading: a backend connection lives on its client connection's event loop, so an exchange
 * is confined to one thread and needs no locks. Flow control follows Netty's HexDumpProxy: read
 * the next message from one side only when the previous write to the other side succeeded.
 *
 * <p>Start reading at {@link io.wakegate.interceptor.forward.Exchange}.
 */
package io.wakegate.interceptor.forward;
