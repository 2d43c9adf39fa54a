package io.wakegate.interceptor.backend;

import java.time.Duration;
import java.util.Objects;

/**
 * Why a backend cannot become ready for the requests waiting now; each kind is answered with
 * its own status and reason.
 *
 * @param kind       what went wrong
 * @param detail     a short explanation for the log
 * @param retryAfter how long until the backend is tried again ({@link Kind#BACKING_OFF}); zero otherwise
 */
public record StartFailure(Kind kind, String detail, Duration retryAfter) {

    public enum Kind {
        /** The process exited, or could not be started, before it was ready. */
        EXITED,
        /** The process did not become ready within its {@code startTimeout}. */
        START_TIMEOUT,
        /** Starts failed {@code maxRestarts} times in a row: no start until the back-off ends. */
        BACKING_OFF
    }

    public StartFailure {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(detail, "detail");
        if (retryAfter == null || retryAfter.isNegative()) {
            retryAfter = Duration.ZERO;
        }
    }

    public static StartFailure exited(String detail) {
        return new StartFailure(Kind.EXITED, detail, Duration.ZERO);
    }
}
