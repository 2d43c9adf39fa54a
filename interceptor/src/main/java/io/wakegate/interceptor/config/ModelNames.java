package io.wakegate.interceptor.config;

/**
 * What a model name in a route may be: what OpenAI-style servers accept as a {@code model}
 * ({@code llama-3.1-8b}, {@code meta-llama/Llama-3.1-8B-Instruct}, {@code qwen2.5:7b}), bounded:
 * 1 to {@value #MAX_LENGTH} visible ASCII characters, compared exactly. The controller's CRD
 * enforces the same rule.
 */
public final class ModelNames {

    public static final int MAX_LENGTH = 256;
    public static final String EXPECTED = "expected: a model name of 1 to " + MAX_LENGTH
            + " visible ASCII characters, without spaces";

    private ModelNames() {
    }

    /** {@code null} when {@code name} is a valid model name, else what was expected. */
    public static String error(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_LENGTH) {
            return EXPECTED;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return EXPECTED;
            }
        }
        return null;
    }
}
