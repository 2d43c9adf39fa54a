package io.wakegate.benchmarks.load;

import io.wakegate.benchmarks.support.Args;
import io.wakegate.benchmarks.support.Output;
import io.wakegate.benchmarks.support.KeepAliveClient;
import io.wakegate.benchmarks.support.Percentiles;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * SSE chunk delay: how long each server-sent event takes from the backend's write to this client,
 * direct and through each proxy. {@link io.wakegate.benchmarks.support.FastBackend}'s {@code /sse}
 * puts {@code System.nanoTime()} at write into every event; this client subtracts it from its own
 * {@code System.nanoTime()} at receipt (both CLOCK_MONOTONIC, shared by all processes on a Linux
 * machine). The extra delay per chunk of a proxy is its median minus the direct median.
 *
 * <p>Run: {@code java -cp benchmarks.jar io.wakegate.benchmarks.load.SseChunkDelay --targets
 * direct=127.0.0.1:18080,wakegate=127.0.0.1:18081 [--events 200] [--delay-ms 5] [--rounds 3] [--out FILE]}.
 * Rounds alternate between targets so drift in machine load hits all of them alike.
 */
public final class SseChunkDelay {

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        int events = args.integer("--events", 200);
        int delayMs = args.integer("--delay-ms", 5);
        int rounds = args.integer("--rounds", 3);
        Map<String, String> targets = new LinkedHashMap<>();
        for (String t : args.required("--targets").split(",")) {
            String[] kv = t.split("=", 2);
            targets.put(kv[0], kv[1]);
        }
        Map<String, long[]> samples = new LinkedHashMap<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String name : targets.keySet()) {
            samples.put(name, new long[events * rounds]);
            counts.put(name, 0);
        }
        for (int round = -1; round < rounds; round++) { // round -1 warms up every path
            for (Map.Entry<String, String> t : targets.entrySet()) {
                String[] hp = t.getValue().split(":");
                try (KeepAliveClient c = new KeepAliveClient(hp[0], Integer.parseInt(hp[1]))) {
                    c.send(KeepAliveClient.get("/sse?n=" + events + "&delayMs=" + delayMs, t.getValue()));
                    int status = c.readHead();
                    if (status != 200) {
                        throw new IllegalStateException(t.getKey() + ": status " + status);
                    }
                    // proxies may re-frame chunks: split the body into events, not chunks
                    StringBuilder body = new StringBuilder();
                    String chunk;
                    while ((chunk = c.readChunk()) != null) {
                        long now = System.nanoTime();
                        body.append(chunk);
                        int end;
                        while ((end = body.indexOf("\n\n")) >= 0) {
                            String event = body.substring(0, end); // "data: <nanos> <i>"
                            body.delete(0, end + 2);
                            int sp = event.indexOf(' ', 6);
                            long sent = Long.parseLong(event.substring(6, sp));
                            if (round >= 0) {
                                int n = counts.get(t.getKey());
                                samples.get(t.getKey())[n] = now - sent;
                                counts.put(t.getKey(), n + 1);
                            }
                        }
                    }
                }
            }
        }
        StringBuilder out = new StringBuilder("path\tchunks\tp50_us\tp99_us\tmax_us\n");
        for (String name : targets.keySet()) {
            Percentiles p = new Percentiles(samples.get(name), counts.get(name));
            out.append(String.format(Locale.ROOT, "%s\t%d\t%.1f\t%.1f\t%.1f%n", name, p.count(),
                    p.at(50) / 1e3, p.at(99) / 1e3, p.max() / 1e3));
        }
        Output.emit(out.toString(), args.string("--out", null));
    }

    private SseChunkDelay() {
    }
}
