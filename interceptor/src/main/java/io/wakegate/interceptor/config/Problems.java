package io.wakegate.interceptor.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The problems found in one file, each {@code path: reason}, in the order found. A problem
 * whose path lies at or under an already reported path is dropped: once a value failed to
 * parse, the validator must not also complain that it is missing.
 */
final class Problems {

    private final List<String> paths = new ArrayList<>();
    private final List<String> messages = new ArrayList<>();

    /** Records {@code reason} at {@code path} ({@code ""} = the whole document), unless null. */
    void add(String path, String reason) {
        if (reason == null || covered(path)) {
            return;
        }
        paths.add(path);
        messages.add(path.isEmpty() ? reason : path + ": " + reason);
    }

    /** Records a problem whose message already names its path (cross-field checks). */
    void addMessage(String path, String message) {
        if (message == null || covered(path)) {
            return;
        }
        paths.add(path);
        messages.add(message);
    }

    private boolean covered(String path) {
        for (String reported : paths) {
            if (path.equals(reported) || reported.isEmpty()
                    || path.startsWith(reported + ".") || path.startsWith(reported + "[")) {
                return true;
            }
        }
        return false;
    }

    /** Whether a problem was reported at, under or above {@code path}. */
    boolean covers(String path) {
        if (covered(path)) {
            return true;
        }
        for (String reported : paths) {
            if (reported.startsWith(path + ".") || reported.startsWith(path + "[")) {
                return true;
            }
        }
        return false;
    }

    boolean isEmpty() {
        return messages.isEmpty();
    }

    List<String> messages() {
        return List.copyOf(messages);
    }
}
