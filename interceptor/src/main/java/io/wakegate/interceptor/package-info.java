/**
 * The interceptor's entry points: {@link io.wakegate.interceptor.Wakegate} (the command line),
 * {@link io.wakegate.interceptor.InterceptorServer} (start, reload, graceful shutdown) and
 * {@link io.wakegate.interceptor.ProxyChannelInitializer} (the client pipeline, in the order bytes
 * travel). The features live in the sub-packages, in the order a request meets them:
 * {@code config} → {@code routing} → {@code http} → {@code hold} → {@code forward}, with
 * {@code demand} as a side tap, {@code backend} as the sources of endpoints, and {@code admin},
 * {@code metrics} and {@code demo} beside them.
 *
 * <p>Start reading at {@link io.wakegate.interceptor.InterceptorServer}.
 */
package io.wakegate.interceptor;
