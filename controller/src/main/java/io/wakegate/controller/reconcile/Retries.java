package io.wakegate.controller.reconcile;

import io.wakegate.controller.status.Observation.Part;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Back-off per written object. After a write of an object failed, the same write is not tried
 * again before its retry time — 1 s, doubling with every further failure up to the cap — however
 * many passes run meanwhile (every status write and informer event triggers one); the object keeps
 * the failure's condition until then. A different desired object (the ModelHost changed) or a
 * success clears it.
 *
 * <p>Used by the reconcile thread only.
 */
final class Retries {

  private final Duration base;
  private final Duration cap;
  private final Map<String, Failure> failures = new HashMap<>();

  private record Failure(Object desired, Part part, int attempts, Instant retryAt) {
  }

  Retries(Duration base, Duration cap) {
    this.base = base;
    this.cap = cap;
  }

  /** The failure to report instead of writing {@code desired} again now, or null when the write is due. */
  Part waiting(String key, Object desired, Instant now) {
    Failure f = failures.get(key);
    if (f == null || !Objects.equals(f.desired(), desired)) {
      return null;
    }
    return now.isBefore(f.retryAt()) ? f.part() : null;
  }

  /** Records a failed write of {@code desired}, reported as {@code part}; returns the wait before the next try. */
  Duration failed(String key, Object desired, Part part, Instant now) {
    Failure previous = failures.get(key);
    int attempts = previous != null && Objects.equals(previous.desired(), desired) ? previous.attempts() + 1 : 1;
    Duration delay = delay(attempts);
    failures.put(key, new Failure(desired, part, attempts, now.plus(delay)));
    return delay;
  }

  void succeeded(String key) {
    failures.remove(key);
  }

  /** Forgets objects that no pass wrote or skipped since the last {@code retainOnly}. */
  void retainOnly(java.util.Set<String> keys) {
    failures.keySet().retainAll(keys);
  }

  /** The earliest retry time, or null when nothing is backing off. */
  Instant next() {
    return failures.values().stream().map(Failure::retryAt).min(Instant::compareTo).orElse(null);
  }

  /** base × 2^(attempts-1), at most the cap. */
  Duration delay(int attempts) {
    Duration d = base;
    for (int i = 1; i < attempts && d.compareTo(cap) < 0; i++) {
      d = d.multipliedBy(2);
    }
    return d.compareTo(cap) > 0 ? cap : d;
  }
}
