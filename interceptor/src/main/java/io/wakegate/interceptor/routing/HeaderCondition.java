package io.wakegate.interceptor.routing;

/**
 * One header condition of a {@link RouteRule}: the header must be present and, when
 * {@code value} is not {@code null}, one of its values must equal {@code value} exactly.
 *
 * <p>The name is compared case-insensitively, the value case-sensitively. A header sent
 * several times has several values; a comma-separated value is <em>not</em> split (a value
 * may legitimately contain commas), so {@code X-Tenant: a, b} has the single value
 * {@code "a, b"}.
 *
 * @param name  the header name; a non-blank RFC 9110 token
 * @param value the exact value required, or {@code null} to require presence only
 */
public record HeaderCondition(String name, String value) {

    public HeaderCondition {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException(
                    "name: " + name + " (expected: a non-blank header name)");
        }
        for (int i = 0; i < name.length(); i++) {
            if (!isTokenChar(name.charAt(i))) {
                throw new IllegalArgumentException(
                        "name: " + name + " (expected: a header name made of RFC 9110 token characters)");
            }
        }
        if (value != null) {
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c < 0x20 && c != '\t' || c == 0x7f) {
                    throw new IllegalArgumentException(
                            "value: " + value.replace("\r", "\\r").replace("\n", "\\n")
                                    + " (expected: a header value without control characters)");
                }
            }
        }
    }

    /** A condition that only requires the header to be present. */
    public static HeaderCondition present(String name) {
        return new HeaderCondition(name, null);
    }

    /** A condition that requires one of the header's values to equal {@code value}. */
    public static HeaderCondition equalTo(String name, String value) {
        if (value == null) {
            throw new IllegalArgumentException("value: null (expected: a header value)");
        }
        return new HeaderCondition(name, value);
    }

    /** {@code tchar} of RFC 9110 section 5.6.2. */
    static boolean isTokenChar(char c) {
        if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
            return true;
        }
        return "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }
}
