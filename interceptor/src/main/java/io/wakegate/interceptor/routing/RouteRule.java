package io.wakegate.interceptor.routing;

import java.util.ArrayList;
import io.wakegate.interceptor.config.ModelNames;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * What a route matches: a host, a path prefix and header conditions, all of which must hold.
 *
 * <ul>
 *   <li>{@code hosts}: exact names ({@code api.example.com}, an IPv4 address, or an IPv6
 *       literal with or without brackets), {@code *.suffix} wildcards matching any name with at
 *       least one more label ({@code *.example.com} matches {@code a.example.com} and
 *       {@code a.b.example.com}, never {@code example.com}), or {@code *}. Empty, or containing
 *       {@code *}, means any host. Case-insensitive; a trailing dot is ignored; no port.</li>
 *   <li>{@code pathPrefixes}: literal prefixes starting with {@code /}, matched on segment
 *       boundaries ({@code /api} matches {@code /api}, {@code /api/}, {@code /api/x}, never
 *       {@code /apix}); {@code /api/} is the same as {@code /api}. Empty means {@code /}, which
 *       matches every path.</li>
 *   <li>{@code headers}: every condition must hold.</li>
 *   <li>{@code models}: OpenAI model names ({@link ModelNames}); when not empty, the request must
 *       also name one of them (in its JSON body's {@code model} field). Routes on the same host,
 *       prefix and headers with different models share that address; the one without models
 *       serves requests naming none. Duplicates are dropped.</li>
 * </ul>
 *
 * <p>The compact constructor validates and copies; {@code null} lists are read as empty.
 * Values are kept as written; {@link RouteMatcher} normalizes them.
 */
public record RouteRule(List<String> hosts, List<String> pathPrefixes, List<HeaderCondition> headers,
                        List<String> models) {

    static final String HOST_EXPECTED =
            "expected: a host name, an IP address, '*.' followed by a host name, or '*'";
    static final String PATH_EXPECTED = "expected: a path starting with '/'";

    public RouteRule {
        hosts = hosts == null ? List.of() : copy("hosts", hosts, HOST_EXPECTED);
        pathPrefixes = pathPrefixes == null ? List.of() : copy("pathPrefixes", pathPrefixes, PATH_EXPECTED);
        headers = headers == null ? List.of() : copy("headers", headers, "expected: a header condition");
        models = models == null ? List.of() : List.copyOf(new LinkedHashSet<>(copy("models", models, ModelNames.EXPECTED)));
        for (int i = 0; i < models.size(); i++) {
            String error = ModelNames.error(models.get(i));
            if (error != null) {
                throw new IllegalArgumentException("models[" + i + "]: " + models.get(i) + " (" + error + ")");
            }
        }
        for (int i = 0; i < hosts.size(); i++) {
            String host = hosts.get(i);
            if (!HostNames.isValidPattern(host)) {
                throw new IllegalArgumentException("hosts[" + i + "]: " + host + " (" + HOST_EXPECTED + ")");
            }
        }
        for (int i = 0; i < pathPrefixes.size(); i++) {
            String error = pathPrefixError(pathPrefixes.get(i));
            if (error != null) {
                throw new IllegalArgumentException(
                        "pathPrefixes[" + i + "]: " + pathPrefixes.get(i) + " (" + error + ")");
            }
        }
    }

    /** A rule on hosts, path prefixes and headers, naming no model. */
    public RouteRule(List<String> hosts, List<String> pathPrefixes, List<HeaderCondition> headers) {
        this(hosts, pathPrefixes, headers, List.of());
    }

    /** A rule matching any host, any path and any headers. */
    public static RouteRule any() {
        return new RouteRule(List.of(), List.of(), List.of());
    }

    /** A rule on hosts only (any path, no header condition). */
    public static RouteRule hosts(String... hosts) {
        return new RouteRule(List.of(hosts), List.of(), List.of());
    }

    /** This rule, serving only requests that name one of {@code models}. */
    public RouteRule withModels(String... models) {
        return new RouteRule(hosts, pathPrefixes, headers, List.of(models));
    }

    /** Whether this rule matches any host. */
    public boolean anyHost() {
        return hosts.isEmpty() || hosts.contains("*");
    }

    /** Returns {@code null} when {@code prefix} is a valid path prefix, else what was expected. */
    static String pathPrefixError(String prefix) {
        if (prefix == null || prefix.isEmpty() || prefix.charAt(0) != '/') {
            return PATH_EXPECTED;
        }
        for (int i = 0; i < prefix.length(); i++) {
            char c = prefix.charAt(i);
            if (c == '?' || c == '#' || c == '*' || c <= 0x20 || c == 0x7f) {
                return "expected: a literal path prefix without '*', '?', '#', spaces or control characters";
            }
            if (c == '/' && i + 1 < prefix.length() && prefix.charAt(i + 1) == '/') {
                return "expected: a path prefix without empty segments";
            }
        }
        return null;
    }

    private static <E> List<E> copy(String field, List<E> list, String expected) {
        List<E> copy = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            E element = list.get(i);
            if (element == null) {
                throw new IllegalArgumentException(field + "[" + i + "]: null (" + expected + ")");
            }
            copy.add(element);
        }
        return List.copyOf(copy);
    }
}
