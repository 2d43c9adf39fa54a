package io.wakegate.interceptor.backend.process;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure no child process group outlives Wakegate.
 *
 * <p>Each child runs in its own process group ({@code setsid}), so a signal to the group reaches
 * a model server and everything it forked. On a clean stop Wakegate signals the groups itself. To
 * survive Wakegate being killed outright (SIGKILL, OOM killer), where no Java code runs, a small
 * watchdog shell process holds the read end of a pipe from this JVM: it is told every group that
 * starts and stops, and when the pipe reaches end of file — the JVM is gone — it sends SIGTERM to
 * the groups still listed, then SIGKILL after a grace period. The JDK offers no way to set a
 * parent-death signal, hence the shell; it ignores SIGINT and SIGHUP so a Ctrl-C in the terminal
 * reaches Wakegate, which stops its children gracefully.
 *
 * <p>Thread-safe.
 */
public final class ProcessReaper implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProcessReaper.class);

    private static final String SCRIPT = """
            trap '' INT HUP
            groups=''
            while read -r op id; do
              case "$op" in
                +) groups="$groups $id" ;;
                -) groups=$(printf '%s\\n' $groups | grep -vx "$id" | tr '\\n' ' ') ;;
              esac
            done
            [ -z "$groups" ] && exit 0
            for g in $groups; do kill -s TERM -- "-$g" 2>/dev/null; done
            sleep "$1"
            for g in $groups; do kill -s KILL -- "-$g" 2>/dev/null; done
            """;

    private static final Path SETSID = findSetsid();

    private final long graceSeconds;
    private final Set<Long> groups = new LinkedHashSet<>();
    private Process watchdog;
    private OutputStream pipe;
    private boolean closed;

    public ProcessReaper(long graceSeconds) {
        this.graceSeconds = Math.max(1, graceSeconds);
    }

    /** Whether children get their own process group ({@code setsid} is installed). */
    static boolean groupsSupported() {
        return SETSID != null;
    }

    /** The prefix that starts a command in a new session and process group, or null. */
    static String setsid() {
        return SETSID == null ? null : SETSID.toString();
    }

    /** A child started: its pid is also its process group id. */
    synchronized void register(long pgid) {
        if (closed || SETSID == null) {
            return;
        }
        groups.add(pgid);
        send("+ " + pgid);
    }

    /** A child's group is gone (exited and reaped). */
    synchronized void unregister(long pgid) {
        if (groups.remove(pgid)) {
            send("- " + pgid);
        }
    }

    /** Signals a process group; false when the signal could not be sent. Blocking: not for event loops. */
    static boolean signalGroup(long pgid, String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-s", signal, "--", "-" + pgid)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return kill.waitFor(5, TimeUnit.SECONDS) && kill.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void send(String line) {
        try {
            if (watchdog == null || !watchdog.isAlive()) {
                watchdog = new ProcessBuilder("sh", "-c", SCRIPT, "wakegate-reaper", Long.toString(graceSeconds))
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.INHERIT)
                        .start();
                pipe = watchdog.getOutputStream();
                for (long g : groups) {
                    if (!line.equals("+ " + g)) {
                        pipe.write(("+ " + g + "\n").getBytes(StandardCharsets.US_ASCII));
                    }
                }
            }
            pipe.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
            pipe.flush();
        } catch (IOException e) {
            log.warn("process reaper unavailable ({}); children may outlive a killed Wakegate", e.toString());
        }
    }

    /** Ends the watchdog; called after every child was stopped. */
    @Override
    public synchronized void close() {
        closed = true;
        if (watchdog != null) {
            try {
                pipe.close(); // end of file: the watchdog signals what is left, if anything, and exits
            } catch (IOException ignored) {
                // it exits on its own when the pipe breaks
            }
        }
    }

    private static Path findSetsid() {
        for (String dir : new String[] {"/usr/bin", "/bin", "/usr/sbin", "/sbin"}) {
            Path p = Path.of(dir, "setsid");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
