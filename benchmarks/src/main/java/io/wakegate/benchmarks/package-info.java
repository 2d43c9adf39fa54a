/**
 * JMH micro-benchmarks of the interceptor and the scaler: route lookup, demand accounting, a full
 * request through a running interceptor versus direct, the scaler's {@code GetMetrics} under a
 * large aggregate, and reading a request body for its OpenAI model
 * ({@link io.wakegate.benchmarks.ModelPeekBenchmark},
 * {@code io.wakegate.interceptor.forward.ModelReadAheadBenchmark},
 * {@link io.wakegate.benchmarks.ModelRouteBenchmark}). Start reading at
 * {@link io.wakegate.benchmarks.ProxyRoundTripBenchmark}; how to run them and what the numbers mean
 * is in docs/benchmarks.md.
 */
package io.wakegate.benchmarks;
