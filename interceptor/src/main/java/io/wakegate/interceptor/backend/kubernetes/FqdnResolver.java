package io.wakegate.interceptor.backend.kubernetes;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.CacheLoader;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The addresses of the names in EndpointSlices of type FQDN. Looking a name up blocks, so it never
 * happens where {@link #address} is called (a source's recompute): lookups run on the resolver's
 * own executor, and {@link #address} only reads what the last one found.
 *
 * <ul>
 *   <li>A name has no address until its first lookup completes; then {@code whenResolved} runs on
 *       the notify executor, so the caller can recompute.</li>
 *   <li>A failed lookup is an answer too (no address), kept like any other: asking again does not
 *       look up again before the next refresh.</li>
 *   <li>An answer older than {@link #REFRESH} is looked up again when asked for, the old one serving
 *       meanwhile (kept if the new lookup fails). {@link #tick}, every {@link #REFRESH}, tells the
 *       listeners to ask again, so a changed answer is used within two refresh periods.</li>
 *   <li>A name nobody asked for during {@link #IDLE} (it left every slice) is forgotten.</li>
 * </ul>
 *
 * <p>Thread-safe; {@link #address} never blocks.
 */
final class FqdnResolver {

    static final Duration REFRESH = Duration.ofSeconds(10);
    static final Duration IDLE = Duration.ofMinutes(10);

    private static final Logger log = LoggerFactory.getLogger(FqdnResolver.class);

    /** A blocking name lookup. */
    @FunctionalInterface
    interface Lookup {
        /** The system resolver: hosts file, then DNS. */
        Lookup SYSTEM = InetAddress::getByName;

        InetAddress lookup(String name) throws UnknownHostException;
    }

    private final Lookup lookup;
    private final Executor notify;
    private final AsyncLoadingCache<String, Optional<InetAddress>> cache;
    private final Set<Runnable> listeners = new CopyOnWriteArraySet<>();

    /**
     * @param dns    runs the lookups; dedicated to them, never an event loop
     * @param notify runs {@code whenResolved} and the listeners
     * @param ticker the clock of refresh and idle times
     */
    FqdnResolver(Lookup lookup, Executor dns, Executor notify, Ticker ticker) {
        this.lookup = lookup;
        this.notify = notify;
        this.cache = Caffeine.newBuilder()
                .executor(dns)
                .ticker(ticker)
                .refreshAfterWrite(REFRESH)
                .expireAfterAccess(IDLE)
                .buildAsync(new CacheLoader<String, Optional<InetAddress>>() {
                    @Override
                    public Optional<InetAddress> load(String name) {
                        Optional<InetAddress> answer = resolve(name);
                        if (answer.isEmpty()) {
                            log.warn("EndpointSlice address {} does not resolve; its endpoint does not count", name);
                        }
                        return answer;
                    }

                    @Override
                    public Optional<InetAddress> reload(String name, Optional<InetAddress> previous) {
                        Optional<InetAddress> next = resolve(name);
                        if (next.isEmpty() && previous.isPresent()) {
                            log.warn("EndpointSlice address {} no longer resolves; keeping {}", name,
                                    previous.get().getHostAddress());
                        }
                        return next.isPresent() ? next : previous; // a failed refresh keeps the last answer
                    }
                });
    }

    /**
     * The address {@code name} resolved to, or empty: not resolved yet (then {@code whenResolved}
     * runs once the lookup completes) or not resolvable. Never blocks.
     */
    Optional<InetAddress> address(String name, Runnable whenResolved) {
        CompletableFuture<Optional<InetAddress>> answer = cache.get(name);
        if (answer.isDone()) {
            return answer.isCompletedExceptionally() ? Optional.empty() : answer.join();
        }
        answer.thenRunAsync(whenResolved, notify);
        return Optional.empty();
    }

    /** Adds {@code listener} to those {@link #tick} tells; adding it again changes nothing. */
    void listen(Runnable listener) {
        listeners.add(listener);
    }

    void unlisten(Runnable listener) {
        listeners.remove(listener);
    }

    /** Tells every listener to ask again: that is what refreshes the names they use. */
    void tick() {
        for (Runnable listener : listeners) {
            notify.execute(listener);
        }
    }

    private Optional<InetAddress> resolve(String name) {
        try {
            return Optional.of(lookup.lookup(name));
        } catch (UnknownHostException | RuntimeException e) {
            log.debug("looking up {} failed", name, e);
            return Optional.empty();
        }
    }
}
