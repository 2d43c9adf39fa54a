package io.wakegate.interceptor.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a config file and calls back with each new valid config; an invalid new file is
 * logged (all problems) and the old config kept.
 *
 * <p>Polls rather than using a {@code WatchService}: polling survives editors' atomic
 * renames and Kubernetes ConfigMap symlink swaps (the path is followed on every poll). A
 * poll compares the file's last-modified time and size with the previous poll and, when
 * either changed (or at least every {@value #FULL_CHECK_EVERY} polls, for file systems with
 * coarse timestamps), reads the file and compares a SHA-256 of its content. Only a content
 * change leads to a call back, so a {@code touch} is ignored; each distinct content is
 * reported once.
 *
 * <p>A file rewritten in place (truncate, then write) can be read between the two. So new
 * content is applied only when a second read {@value #SETTLE_MILLIS} ms later finds the same
 * bytes (otherwise the next poll looks again), and a reload never applies an empty document
 * (nothing, or comments only): that is reported as a problem and the current configuration
 * kept. To remove every route, write {@code routes: []}.
 *
 * <p>The watcher logs every problem it reports, once; {@code onInvalid} need not log again.
 * Relative paths in the new content start at the file's folder, as on the first load.
 *
 * <p>Threading: both callbacks run on the watcher's single daemon thread,
 * {@value #THREAD_NAME}, one at a time; they should hand heavy work elsewhere. An exception
 * thrown by a callback is logged and polling goes on. The content present when {@link
 * #start()} is called is the baseline and is not reported: start the watcher before the
 * initial {@link ConfigLoader#load} so no change is missed (a change in between is then
 * reported, possibly with the config already loaded).
 */
public final class ConfigWatcher implements AutoCloseable {

    /** The name of the polling thread. */
    public static final String THREAD_NAME = "wakegate-config-watcher";
    /** Polls after which the content is hashed even if time and size look unchanged. */
    static final int FULL_CHECK_EVERY = 10;
    /** How long apart two reads of new content must agree before it is applied. */
    static final long SETTLE_MILLIS = 100;

    private static final Logger log = LoggerFactory.getLogger(ConfigWatcher.class);

    private final Path file;
    private final Duration pollInterval;
    private final Consumer<WakegateConfig> onChange;
    private final Consumer<ConfigException> onInvalid;
    private final ScheduledExecutorService executor;

    // Touched only by the polling thread (and by start() before the first poll is scheduled).
    private long lastModified = Long.MIN_VALUE;
    private long lastSize = -1;
    private byte[] lastDigest;
    private String lastError;
    private int pollsSinceFullCheck;
    private boolean started;

    /** A watcher whose problems are only logged. */
    public ConfigWatcher(Path file, Duration pollInterval, Consumer<WakegateConfig> onChange) {
        this(file, pollInterval, onChange, problem -> { });
    }

    public ConfigWatcher(Path file, Duration pollInterval, Consumer<WakegateConfig> onChange,
                         Consumer<ConfigException> onInvalid) {
        this.file = Objects.requireNonNull(file, "file");
        Checks.require("pollInterval", Checks.positive(pollInterval));
        this.pollInterval = pollInterval;
        this.onChange = Objects.requireNonNull(onChange, "onChange");
        this.onInvalid = Objects.requireNonNull(onInvalid, "onInvalid");
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, THREAD_NAME);
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Takes the file's current content as the baseline and starts polling.
     *
     * @throws IllegalStateException if already started or closed
     */
    public synchronized void start() {
        if (started || executor.isShutdown()) {
            throw new IllegalStateException("ConfigWatcher for " + file + " already started or closed");
        }
        started = true;
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            lastModified = attributes.lastModifiedTime().toMillis();
            lastSize = attributes.size();
            lastDigest = sha256(Files.readAllBytes(file));
        } catch (IOException e) {
            log.warn("Cannot read config file {} to watch it, will keep trying: {}", file, e.toString());
        }
        long nanos = pollInterval.toNanos();
        executor.scheduleWithFixedDelay(this::pollSafely, nanos, nanos, TimeUnit.NANOSECONDS);
    }

    /** Stops polling; a callback in progress is interrupted. Idempotent. */
    @Override
    public void close() {
        executor.shutdownNow();
    }

    private void pollSafely() {
        try {
            poll();
        } catch (Throwable t) { // never end the schedule: a dead watcher would go unnoticed
            log.error("Watching config file {} failed; will retry", file, t);
        }
    }

    /** One poll; package-private so tests can drive it. */
    void poll() {
        byte[] content;
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            long modified = attributes.lastModifiedTime().toMillis();
            long size = attributes.size();
            boolean statChanged = modified != lastModified || size != lastSize;
            if (!statChanged && lastDigest != null && ++pollsSinceFullCheck < FULL_CHECK_EVERY) {
                return;
            }
            pollsSinceFullCheck = 0;
            lastModified = modified;
            lastSize = size;
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            unreadable(e instanceof NoSuchFileException ? "the file does not exist" : e.toString(), e);
            return;
        }
        byte[] digest = sha256(content);
        if (Arrays.equals(digest, lastDigest)) {
            lastError = null;
            return;
        }
        if (!settled(content)) {
            lastModified = Long.MIN_VALUE; // being written: look again at the next poll
            return;
        }
        if (ConfigLoader.isEmptyDocument(content)) {
            unreadable("the file is empty (expected: a configuration; to remove every route, write routes: [])",
                    null);
            return;
        }
        lastError = null;
        lastDigest = digest;
        WakegateConfig config;
        try {
            config = ConfigLoader.parse(content, file);
        } catch (ConfigException e) {
            log.error("Config file {} changed but is invalid, keeping the current configuration:\n{}",
                    file, e.getMessage());
            onInvalid.accept(e);
            return;
        }
        log.info("Config file {} changed: {} route(s)", file, config.routes().size());
        onChange.accept(config);
    }

    /** Reports a file that cannot be applied as it is now, once while the same problem lasts. */
    private void unreadable(String error, IOException cause) {
        if (error.equals(lastError)) {
            return;
        }
        lastError = error;
        lastModified = Long.MIN_VALUE;
        log.warn("Config file {} cannot be read, keeping the current configuration: {}", file, error);
        onInvalid.accept(new ConfigException(file.toString(), List.of("cannot read the file: " + error), cause));
    }

    /** Whether {@code content} is still what the file holds {@value #SETTLE_MILLIS} ms later. */
    private boolean settled(byte[] content) {
        try {
            Thread.sleep(SETTLE_MILLIS);
            return Arrays.equals(content, Files.readAllBytes(file));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // closing
            return false;
        } catch (IOException e) {
            return false; // the next poll reports it if it lasts
        }
    }

    private static byte[] sha256(byte[] content) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
