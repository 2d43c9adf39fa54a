package io.wakegate.benchmarks.load;

import io.wakegate.benchmarks.support.Args;
import io.wakegate.benchmarks.support.Output;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Memory per held request: a Wakegate process (the real jar, {@code --pid}) with a route
 * {@code /held/} whose backend never comes up is sent {@code --held} requests, one per connection;
 * once its admin {@code /queue} shows them all held, its heap after a full GC ({@code jcmd PID
 * GC.run}, then {@code jvm_memory_used_bytes{area="heap"}} from admin {@code /metrics}) and its RSS
 * ({@code VmRSS} in {@code /proc/PID/status}) are compared with the same figures before.
 *
 * <p>With {@code --upload BYTES} each client is uploading instead: a POST declaring a body of
 * that size, of which it writes as much as its socket accepts without blocking — what a held
 * request could buffer if it read its body is there to be read.
 *
 * <p>Run: {@code java -cp benchmarks.jar io.wakegate.benchmarks.load.HeldMemory --proxy
 * 127.0.0.1:18201 --admin 127.0.0.1:18202 --pid PID [--held 10000] [--upload BYTES] [--out FILE]}.
 */
public final class HeldMemory {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        String[] proxy = args.required("--proxy").split(":");
        String admin = "http://" + args.required("--admin");
        long pid = Long.parseLong(args.required("--pid"));
        int held = args.integer("--held", 10000);
        int upload = args.integer("--upload", 0);

        long heapBefore = heapAfterGc(pid, admin);
        long rssBefore = status(pid, "VmRSS");
        List<SocketChannel> channels = new ArrayList<>(held);
        byte[] request = (upload == 0 ? "GET /held/v1/completions HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n"
                : "POST /held/v1/completions HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: " + upload + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        ByteBuffer body = ByteBuffer.allocate(upload);
        long offered = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < held; i++) {
            SocketChannel ch = SocketChannel.open(new InetSocketAddress(proxy[0], Integer.parseInt(proxy[1])));
            ch.write(ByteBuffer.wrap(request));
            if (upload > 0) {
                ch.configureBlocking(false); // write what the socket takes now; the rest would block
                offered += ch.write(body.clear());
            }
            channels.add(ch);
        }
        long deadline = System.nanoTime() + 60_000_000_000L;
        int seen;
        while ((seen = heldTotal(admin)) < held) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + seen + " of " + held + " requests held after 60 s");
            }
            Thread.sleep(100);
        }
        double holdSeconds = (System.nanoTime() - t0) / 1e9;
        long heapAfter = heapAfterGc(pid, admin);
        long rssAfter = status(pid, "VmRSS");
        long hwm = status(pid, "VmHWM");
        for (SocketChannel ch : channels) {
            ch.close();
        }
        String out = String.format(Locale.ROOT, "held\t%d%nupload_bytes\t%d%nbody_bytes_written_per_client\t%d%n"
                + "seconds_to_hold_all\t%.1f%nheap_before_mb\t%.1f%n"
                + "heap_after_mb\t%.1f%nheap_per_held_bytes\t%.0f%nrss_before_mb\t%.1f%nrss_after_mb\t%.1f%n"
                + "rss_per_held_bytes\t%.0f%nrss_peak_mb\t%.1f%n",
                held, upload, offered / held, holdSeconds, heapBefore / 1048576.0, heapAfter / 1048576.0,
                (double) (heapAfter - heapBefore) / held, rssBefore / 1048576.0, rssAfter / 1048576.0,
                (double) (rssAfter - rssBefore) / held, hwm / 1048576.0);
        Output.emit(out.toString(), args.string("--out", null));
    }

    private static long heapAfterGc(long pid, String admin) throws Exception {
        for (int i = 0; i < 2; i++) {
            Process p = new ProcessBuilder("jcmd", Long.toString(pid), "GC.run").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("jcmd " + pid + " GC.run failed");
            }
        }
        Thread.sleep(300);
        String metrics = get(admin + "/metrics");
        Matcher m = Pattern.compile("(?m)^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*\\} (\\S+)$").matcher(metrics);
        double sum = 0;
        int found = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
            found++;
        }
        if (found == 0) {
            throw new IllegalStateException("no jvm_memory_used_bytes{area=\"heap\"} in " + admin + "/metrics");
        }
        return (long) sum;
    }

    private static int heldTotal(String admin) throws Exception {
        Matcher m = Pattern.compile("\"heldTotal\"\\s*:\\s*(\\d+)").matcher(get(admin + "/queue"));
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    private static String get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** A {@code kB} field of /proc/PID/status, in bytes. */
    static long status(long pid, String field) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException(field + " not in /proc/" + pid + "/status");
    }

    private HeldMemory() {
    }
}
