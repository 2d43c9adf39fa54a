package io.wakegate.interceptor.backend.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.benmanes.caffeine.cache.Ticker;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The resolver of FQDN slice addresses: never blocks its caller, tells it when a name resolves,
 * keeps answers (failed ones too) until they are refreshed, and forgets names nobody asks for.
 * Lookups are stand-ins (no DNS); the clock is virtual.
 */
class FqdnResolverTest {

    private static final Runnable NOTHING = () -> { };

    private final AtomicLong nanos = new AtomicLong();
    private final Ticker ticker = nanos::get;
    private final AtomicInteger lookups = new AtomicInteger();

    @Test
    void lookupsNeverBlockTheCallerWhoIsToldWhenANameResolvesAndStaleAnswersServeMeanwhile() throws Exception {
        AtomicReference<CountDownLatch> dnsAnswers = new AtomicReference<>(new CountDownLatch(1));
        AtomicInteger last = new AtomicInteger(7);
        ExecutorService dns = Executors.newSingleThreadExecutor();
        try {
            FqdnResolver resolver = new FqdnResolver(name -> {
                try {
                    dnsAnswers.get().await();
                } catch (InterruptedException e) {
                    throw new UnknownHostException(name);
                }
                return loopback(name, last.get());
            }, dns, Runnable::run, ticker);
            CountDownLatch told = new CountDownLatch(1);

            // The lookup is blocked: asking returns at once, with nothing.
            assertThat(resolver.address("pod.wakegate.test", told::countDown)).isEmpty();
            assertThat(told.getCount()).isEqualTo(1);
            dnsAnswers.get().countDown();
            assertThat(told.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(host(resolver)).hasValue("127.0.0.7");

            // Stale: looked up again, blocked; the old answer serves until the new one is in.
            dnsAnswers.set(new CountDownLatch(1));
            last.set(8);
            nanos.addAndGet(FqdnResolver.REFRESH.toNanos() + 1);
            assertThat(host(resolver)).hasValue("127.0.0.7");
            assertThat(host(resolver)).hasValue("127.0.0.7");
            dnsAnswers.get().countDown();
            // The first answer's write time is stamped by Caffeine's own completion handler, which
            // may run after this test was told (dependents run last-registered first): keep the
            // refresh due, so the assertion does not depend on that order.
            await().until(() -> {
                nanos.addAndGet(FqdnResolver.REFRESH.toNanos() + 1);
                return host(resolver).equals(Optional.of("127.0.0.8"));
            });
        } finally {
            dns.shutdownNow();
        }
    }

    @Test
    void aFailedLookupIsKeptUntilTheRefreshNotRetriedOnEveryRecompute() {
        FqdnResolver resolver = new FqdnResolver(name -> {
            lookups.incrementAndGet();
            throw new UnknownHostException(name);
        }, Runnable::run, Runnable::run, ticker);
        for (int i = 0; i < 5; i++) {
            assertThat(resolver.address("gone.wakegate.test", NOTHING)).isEmpty();
        }
        assertThat(lookups).hasValue(1);

        nanos.addAndGet(FqdnResolver.REFRESH.toNanos() + 1);
        assertThat(resolver.address("gone.wakegate.test", NOTHING)).isEmpty();
        assertThat(lookups).hasValue(2);
    }

    @Test
    void aStaleAnswerIsLookedUpAgainAndAFailedRefreshKeepsIt() {
        AtomicReference<Integer> answer = new AtomicReference<>(1);
        FqdnResolver resolver = new FqdnResolver(name -> {
            lookups.incrementAndGet();
            Integer last = answer.get();
            if (last == null) {
                throw new UnknownHostException(name);
            }
            return loopback(name, last);
        }, Runnable::run, Runnable::run, ticker);
        assertThat(host(resolver)).hasValue("127.0.0.1");
        assertThat(host(resolver)).hasValue("127.0.0.1");
        assertThat(lookups).hasValue(1);

        answer.set(2);
        nanos.addAndGet(FqdnResolver.REFRESH.toNanos() + 1);
        host(resolver);
        assertThat(host(resolver)).hasValue("127.0.0.2");

        answer.set(null);
        nanos.addAndGet(FqdnResolver.REFRESH.toNanos() + 1);
        host(resolver);
        assertThat(host(resolver)).hasValue("127.0.0.2");
        assertThat(lookups).hasValue(3);
    }

    @Test
    void aNameNobodyAsksForIsForgotten() {
        FqdnResolver resolver = new FqdnResolver(name -> {
            lookups.incrementAndGet();
            return loopback(name, 1);
        }, Runnable::run, Runnable::run, ticker);
        host(resolver);
        nanos.addAndGet(FqdnResolver.IDLE.toNanos() + 1);
        host(resolver);
        assertThat(lookups).as("looked up anew, not refreshed").hasValue(2);
    }

    @Test
    void aTickTellsTheListenersToAskAgain() {
        List<String> told = new CopyOnWriteArrayList<>();
        FqdnResolver resolver = new FqdnResolver(name -> loopback(name, 1), Runnable::run, Runnable::run, ticker);
        Runnable a = () -> told.add("a");
        Runnable b = () -> told.add("b");
        resolver.listen(a);
        resolver.listen(a);
        resolver.listen(b);
        resolver.tick();
        resolver.unlisten(b);
        resolver.tick();
        await().until(() -> told.size() == 3);
        assertThat(told).containsExactlyInAnyOrder("a", "b", "a");
    }

    private static Optional<String> host(FqdnResolver resolver) {
        return resolver.address("pod.wakegate.test", NOTHING).map(InetAddress::getHostAddress);
    }

    private static InetAddress loopback(String name, int last) throws UnknownHostException {
        return InetAddress.getByAddress(name, new byte[] {127, 0, 0, (byte) last});
    }
}
