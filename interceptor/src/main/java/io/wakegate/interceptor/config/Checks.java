package io.wakegate.interceptor.config;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The validation rules, shared by the records' constructors and {@link ConfigValidator} so
 * both say the same thing. Each check returns {@code null} when the value is fine, else the
 * reason in the form {@code value (expected: ...)}, to be prefixed with the field's path.
 */
final class Checks {

    static final String URL_EXPECTED = "an http:// URL with host and port";
    static final String NO_URLS = "empty (expected: a list of at least one http:// URL with host and port)";

    private static final Pattern ROUTE_NAME = Pattern.compile(RouteConfig.NAME_PATTERN);
    /** RFC 9110 token. */
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    private Checks() {
    }

    /** Throws {@link IllegalArgumentException} {@code field: reason} if {@code reason} is set. */
    static void require(String field, String reason) {
        if (reason != null) {
            throw new IllegalArgumentException(field + ": " + reason);
        }
    }

    static String quote(String value) {
        return "'" + value + "'";
    }

    static String missing(String expected) {
        return "missing (expected: " + expected + ")";
    }

    static String notBlank(String value, String expected) {
        if (value == null) {
            return missing(expected);
        }
        return value.isBlank() ? quote(value) + " (expected: " + expected + ", not blank)" : null;
    }

    static String port(long port) {
        return port >= 0 && port <= 65535 ? null : port + " (expected: a port 0..65535, 0 = any free port)";
    }

    static String distinctPorts(long port, long adminPort) {
        return port != 0 && port == adminPort ? adminPort + " (expected: different from server.port)" : null;
    }

    static String positive(long value) {
        return value > 0 && value <= Integer.MAX_VALUE ? null
                : value + " (expected: an integer 1.." + Integer.MAX_VALUE + ")";
    }

    static String nonNegative(long value) {
        return value >= 0 && value <= Integer.MAX_VALUE ? null
                : value + " (expected: an integer 0.." + Integer.MAX_VALUE + ", 0 = unlimited)";
    }

    static String positiveSize(long bytes) {
        return bytes > 0 ? null : Sizes.format(bytes) + " (expected: a size > 0, e.g. 16KiB)";
    }

    /** For sizes held in an {@code int}. */
    static String intSize(long bytes) {
        return bytes <= Integer.MAX_VALUE ? null
                : Sizes.format(bytes) + " (expected: a size of at most " + Integer.MAX_VALUE + " bytes)";
    }

    static String positive(Duration duration) {
        if (duration == null) {
            return missing("a duration > 0");
        }
        return duration.isNegative() || duration.isZero()
                ? Durations.format(duration) + " (expected: a duration > 0, e.g. 30s)" : null;
    }

    static String nonNegative(Duration duration) {
        if (duration == null) {
            return missing("a duration >= 0");
        }
        return duration.isNegative()
                ? Durations.format(duration) + " (expected: a duration >= 0, e.g. 5s)" : null;
    }

    static final String COMMAND_EXPECTED = "the program and its arguments, e.g. [vllm, serve, my-model, --port, \"8000\"]";

    static String processPort(long port) {
        return port >= 1 && port <= 65535 ? null : port + " (expected: a port 1..65535)";
    }

    static String dnsLabel(String value) {
        if (value == null || value.isEmpty()) {
            return missing("a Kubernetes name (lower-case letters, digits and '-')");
        }
        return value.length() <= 63 && value.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?") ? null
                : quote(value) + " (expected: a Kubernetes name: lower-case letters, digits and '-', at most 63)";
    }

    static String dnsSubdomain(String value) {
        if (value == null || value.isEmpty()) {
            return missing("a Kubernetes object name");
        }
        return value.length() <= 253 && value.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?") ? null
                : quote(value) + " (expected: a Kubernetes object name: lower-case letters, digits, '-' and '.')";
    }

    static String groupName(String group) {
        return group.matches("[A-Za-z0-9._-]+") ? null
                : quote(group) + " (expected: letters, digits, '.', '_' or '-')";
    }

    static String routeName(String name) {
        String expected = "a route name matching " + RouteConfig.NAME_PATTERN;
        if (name == null) {
            return missing(expected);
        }
        return ROUTE_NAME.matcher(name).matches() ? null : quote(name) + " (expected: " + expected + ")";
    }

    static String duplicateRouteName(String path, String name, int firstIndex) {
        return path + ": " + quote(name) + " is already the name of routes[" + firstIndex
                + "] (expected: unique route names)";
    }

    static String pathPrefix(String prefix) {
        if (prefix == null) {
            return missing("a path prefix starting with '/'");
        }
        return prefix.startsWith("/") ? null : quote(prefix) + " (expected: a path prefix starting with '/')";
    }

    static String oneOf(String value, List<String> allowed) {
        if (value == null) {
            return missing("one of " + String.join(", ", allowed));
        }
        return allowed.contains(value) ? null : quote(value) + " (expected: one of " + String.join(", ", allowed) + ")";
    }

    static String modelName(String name) {
        if (name == null) {
            return missing("a model name");
        }
        String error = ModelNames.error(name);
        return error == null ? null : quote(name) + " (" + error + ")";
    }

    static String headerName(String name) {
        if (name == null) {
            return missing("an HTTP header name");
        }
        return HEADER_NAME.matcher(name).matches() ? null : quote(name) + " (expected: an HTTP header name)";
    }

    /** A header value may hold visible characters, spaces and tabs: no line breaks or other controls. */
    static String headerValue(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 && c != '\t' || c == 0x7f) {
                return "contains the control character U+" + String.format("%04X", (int) c)
                        + " (expected: a header value without line breaks or other control characters)";
            }
        }
        return null;
    }

    static String healthPath(String path) {
        return path.startsWith("/") ? null
                : quote(path) + " (expected: a path starting with '/', or no path for a TCP connect check)";
    }

    /** Checks a backend's kinds, given in the order of {@link BackendConfig#KINDS}. */
    static String exactlyOneKind(Object... kinds) {
        List<String> set = new ArrayList<>();
        for (int i = 0; i < kinds.length; i++) {
            if (kinds[i] != null) {
                set.add(BackendConfig.KINDS.get(i));
            }
        }
        if (set.size() == 1) {
            return null;
        }
        String expected = "(expected: exactly one of " + String.join(", ", BackendConfig.KINDS) + ")";
        return set.isEmpty() ? "no backend kind set " + expected
                : String.join(" and ", set) + " are all set " + expected;
    }

    static int firstNonNull(Object... values) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] != null) {
                return i;
            }
        }
        throw new IllegalStateException("no value set");
    }

    /** Parses a backend URL; the reason in the exception is in the usual form. */
    static URI parseUrl(String url) {
        if (url == null) {
            throw new IllegalArgumentException(missing(URL_EXPECTED));
        }
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException(url + " (expected: " + URL_EXPECTED + "; " + e.getReason() + ")");
        }
        require0(httpUrl(uri));
        return normalise(uri);
    }

    private static void require0(String reason) {
        if (reason != null) {
            throw new IllegalArgumentException(reason);
        }
    }

    static String httpUrl(URI uri) {
        if (uri == null) {
            return missing(URL_EXPECTED);
        }
        if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null || uri.getRawUserInfo() != null) {
            return uri + " (expected: " + URL_EXPECTED + ")";
        }
        String path = uri.getRawPath();
        if ((path != null && !path.isEmpty() && !path.equals("/")) || uri.getRawQuery() != null
                || uri.getRawFragment() != null) {
            return uri + " (expected: " + URL_EXPECTED + ", without path, query or fragment)";
        }
        return null;
    }

    /** {@code http://host:port}, with the port explicit (80 if absent). */
    static URI normalise(URI uri) {
        int port = uri.getPort() == -1 ? 80 : uri.getPort();
        return URI.create("http://" + uri.getHost().toLowerCase(java.util.Locale.ROOT) + ":" + port);
    }

    static String duplicateUrl(List<URI> urls, int index) {
        int first = urls.indexOf(urls.get(index));
        return first < index ? urls.get(index) + " is the same as urls[" + first + "] (expected: distinct URLs)" : null;
    }
}
