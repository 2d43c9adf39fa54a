package io.wakegate.controller.reconcile;

import java.time.Duration;

/**
 * Told about every reconcile pass, for metrics. Called on the reconcile thread after each pass;
 * implementations must be quick and must not throw.
 */
public interface PassObserver {

  /** How a pass ended. */
  enum Result {
    /** Everything was written (or nothing differed). */
    SUCCESS,
    /** A write failed; it is retried with backoff. */
    FAILURE,
    /** An informer cache (of a CRD that just appeared) has not synced yet; the pass runs again soon. */
    WAITING,
    /** The pass threw; it is retried with backoff. */
    ERROR
  }

  PassObserver NONE = (result, took) -> { };

  void passed(Result result, Duration took);
}
