/**
 * The mains behind {@code benchmarks/load/compare.sh}: SSE chunk delay, cold path, memory per held
 * request, scaler activation latency, and {@link io.wakegate.benchmarks.load.ResultsReport}, which
 * writes results.md and the latency/throughput chart. Each main takes {@code --name value} pairs and
 * writes {@code key<TAB>value} or TSV lines.
 */
package io.wakegate.benchmarks.load;
