/**
 * Forwarding: the per-connection {@link io.wakegate.interceptor.forward.ProxyHandler}, one
 * {@link io.wakegate.interceptor.forward.Exchange} per request (held → connecting → forwarding →
 * done, or a tunnel), pooled backend connections per event loop and endpoint
 * ({@link io.wakegate.interceptor.forward.BackendPools}), and the raw byte relay for upgraded
 * connections ({@link io.wakegate.interceptor.forward.TunnelHandler}).
 *
 * <p>Threading: a backend connection lives on its client connection's event loop, so an exchange
 * is confined to one thread and needs no locks. Flow control follows Netty's HexDumpProxy: read
 * the next message from one side only when the previous write to the other side succeeded.
 *
 * <p>Start reading at {@link io.wakegate.interceptor.forward.Exchange}.
 */
package io.wakegate.interceptor.forward;
