/**
 * What the benchmarks share: {@link io.wakegate.benchmarks.support.FastBackend} (the loopback backend
 * every path is measured against), {@link io.wakegate.benchmarks.support.KeepAliveClient} (a
 * minimal blocking HTTP/1.1 keep-alive client), in-process interceptors and small helpers.
 */
package io.wakegate.benchmarks.support;
