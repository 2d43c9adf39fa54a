package io.wakegate.interceptor.demo;

import java.util.ArrayList;
import java.util.List;

/**
 * The demo model's "generation": a fixed, deterministic text built from the model name and the
 * prompt, cut into tokens (words with their leading space).
 */
final class DemoCompletion {

    private DemoCompletion() {
    }

    /** The tokens the model answers {@code prompt} with, at most {@code maxTokens}. */
    static List<String> tokens(String model, String prompt, int maxTokens) {
        String echo = prompt == null ? "" : prompt.strip().replaceAll("\\s+", " ");
        String text = "Hello from " + model + "! You said: " + (echo.isEmpty() ? "(nothing)" : echo);
        List<String> tokens = new ArrayList<>();
        int start = 0;
        for (int i = 1; i <= text.length(); i++) {
            if (i == text.length() || text.charAt(i) == ' ') {
                tokens.add(text.substring(start, i));
                start = i;
            }
        }
        return tokens.subList(0, Math.min(tokens.size(), Math.max(0, maxTokens)));
    }

    /** Whether the text was cut by {@code maxTokens}. */
    static boolean truncated(String model, String prompt, int maxTokens) {
        return tokens(model, prompt, Integer.MAX_VALUE).size() > maxTokens;
    }
}
