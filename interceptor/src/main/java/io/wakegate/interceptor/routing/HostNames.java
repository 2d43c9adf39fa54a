package io.wakegate.interceptor.routing;

import java.util.Locale;

/**
 * Host parsing shared by validation, normalization and lookup. Lookup works on a range of
 * the raw header value so that it allocates nothing; {@link #normalize} returns the same range
 * as a lower-case string.
 */
final class HostNames {

    /** Flag set in a {@link #range} result when the host is an IPv6 literal. */
    static final long IPV6 = 1L << 31;

    private HostNames() {
    }

    /**
     * The host inside a raw {@code Host} header or authority, as {@code start << 32 | end}
     * (end exclusive), or'ed with {@link #IPV6} for an IPv6 literal: surrounding whitespace,
     * user info, port, IPv6 brackets and one trailing dot are left out. An empty range
     * ({@code start == end}) means no host: {@code null}, blank, or an unclosed {@code [}.
     */
    static long range(String raw) {
        if (raw == null) {
            return 0;
        }
        int start = 0;
        int end = raw.length();
        while (start < end && isWhitespace(raw.charAt(start))) {
            start++;
        }
        while (end > start && isWhitespace(raw.charAt(end - 1))) {
            end--;
        }
        if (start == end) {
            return 0;
        }
        int at = raw.lastIndexOf('@', end - 1);
        if (at >= start) {
            start = at + 1;
            if (start == end) {
                return 0;
            }
        }
        if (raw.charAt(start) == '[') {
            int close = raw.indexOf(']', start + 1);
            if (close < 0 || close >= end) {
                return 0;
            }
            return pack(start + 1, close) | IPV6;
        }
        int colon = raw.indexOf(':', start);
        if (colon >= 0 && colon < end) {
            int second = raw.indexOf(':', colon + 1);
            if (second >= 0 && second < end) {
                return pack(start, end) | IPV6; // a bare IPv6 literal: no port to strip
            }
            end = colon;
        }
        if (end > start && raw.charAt(end - 1) == '.') {
            end--;
        }
        return pack(start, end);
    }

    static int start(long range) {
        return (int) (range >>> 32);
    }

    static int end(long range) {
        return (int) (range & 0x7fff_ffffL);
    }

    static boolean isIpv6(long range) {
        return (range & IPV6) != 0;
    }

    /** See {@link RouteMatcher#normalizeHost(String)}. */
    static String normalize(String raw) {
        long range = range(raw);
        int start = start(range);
        int end = end(range);
        return start == end ? "" : raw.substring(start, end).toLowerCase(Locale.ROOT);
    }

    /** Whether {@code pattern} is a valid {@link RouteRule} host pattern. */
    static boolean isValidPattern(String pattern) {
        if (pattern.equals("*")) {
            return true;
        }
        if (pattern.startsWith("*.")) {
            return isHostName(pattern.substring(2));
        }
        if (pattern.length() > 2 && pattern.charAt(0) == '[' && pattern.charAt(pattern.length() - 1) == ']') {
            return isIpv6Literal(pattern.substring(1, pattern.length() - 1));
        }
        if (pattern.indexOf(':') >= 0) {
            return isIpv6Literal(pattern);
        }
        return isHostName(pattern);
    }

    /** Dot-separated labels of letters, digits, '-' and '_', at most one trailing dot. */
    static boolean isHostName(String name) {
        int end = name.endsWith(".") ? name.length() - 1 : name.length();
        if (end == 0 || end > 253) {
            return false;
        }
        int labelLength = 0;
        for (int i = 0; i < end; i++) {
            char c = name.charAt(i);
            if (c == '.') {
                if (labelLength == 0) {
                    return false;
                }
                labelLength = 0;
            } else if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
                if (++labelLength > 63) {
                    return false;
                }
            } else {
                return false;
            }
        }
        return labelLength > 0;
    }

    /** A loose IPv6 check: hex digits, colons and dots (IPv4 tail), at least two colons. */
    private static boolean isIpv6Literal(String address) {
        int colons = 0;
        for (int i = 0; i < address.length(); i++) {
            char c = address.charAt(i);
            if (c == ':') {
                colons++;
            } else if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == '.')) {
                return false;
            }
        }
        return colons >= 2;
    }

    static char toLowerAscii(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
    }

    private static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t';
    }

    private static long pack(int start, int end) {
        return (long) start << 32 | end;
    }
}
