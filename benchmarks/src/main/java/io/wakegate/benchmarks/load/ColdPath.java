package io.wakegate.benchmarks.load;

import io.wakegate.benchmarks.support.Args;
import io.wakegate.benchmarks.support.Output;
import io.wakegate.benchmarks.support.FastBackend;
import io.wakegate.benchmarks.support.KeepAliveClient;
import io.wakegate.benchmarks.support.Percentiles;
import java.util.Locale;

/**
 * Cold path: time from the backend being ready (its listener bound, {@code /health} answering)
 * to the held request's first response byte at the client. For each trial a request is sent
 * through Wakegate to a route whose backend port has nothing listening, so it is held; after
 * {@code --hold-ms} the backend starts (in this process, on that port) and the clock starts when
 * it is bound. The figure is dominated by the route's {@code healthCheck.interval} (the probe
 * must see the backend) plus connect and forward.
 *
 * <p>Run against a Wakegate whose config has routes {@code cold-i} ({@code pathPrefixes:
 * [/cold-i/]}) with static backends on ports {@code --first-port + i}:
 * {@code java -cp benchmarks.jar io.wakegate.benchmarks.load.ColdPath --proxy 127.0.0.1:18081
 * --first-port 18110 --trials 10 [--hold-ms 300] [--out FILE]}.
 */
public final class ColdPath {

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        String[] proxy = args.required("--proxy").split(":");
        int firstPort = args.integer("--first-port", 18110);
        int trials = args.integer("--trials", 10);
        int holdMs = args.integer("--hold-ms", 300);
        long[] samples = new long[trials];
        for (int i = 0; i < trials; i++) {
            try (KeepAliveClient c = new KeepAliveClient(proxy[0], Integer.parseInt(proxy[1]))) {
                c.send(KeepAliveClient.get("/cold-" + i + "/v1/models", "127.0.0.1"));
                Thread.sleep(holdMs);
                FastBackend backend = FastBackend.start(firstPort + i, 1);
                long ready = System.nanoTime();
                int b = c.firstByte();
                long first = System.nanoTime();
                if (b != 'H') {
                    throw new IllegalStateException("trial " + i + ": unexpected first byte " + b);
                }
                int status = c.readResponse();
                if (status != 200) {
                    throw new IllegalStateException("trial " + i + ": status " + status);
                }
                samples[i] = first - ready;
                backend.close();
            }
        }
        Percentiles p = new Percentiles(samples, trials);
        String out = String.format(Locale.ROOT, "trials\t%d%nready_to_first_byte_p50_ms\t%.1f%n"
                + "ready_to_first_byte_max_ms\t%.1f%nready_to_first_byte_min_ms\t%.1f%n",
                trials, p.at(50) / 1e6, p.max() / 1e6, p.at(0.0001) / 1e6);
        Output.emit(out.toString(), args.string("--out", null));
    }

    private ColdPath() {
    }
}
