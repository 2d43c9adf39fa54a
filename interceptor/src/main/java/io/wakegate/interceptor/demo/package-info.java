/**
 * A small OpenAI-compatible model host for demos and tests: it "loads" for a configured time
 * ({@code /health} answers 503, then 200, as vLLM and llama.cpp do), then serves
 * {@code /v1/models}, {@code /v1/completions} and {@code /v1/chat/completions}, streamed (SSE,
 * one token per chunk) or not. Output is deterministic. It is a real backend, not a stand-in
 * for Wakegate.
 *
 * <p>Start reading at {@link io.wakegate.interceptor.demo.DemoModelServer}.
 */
package io.wakegate.interceptor.demo;
