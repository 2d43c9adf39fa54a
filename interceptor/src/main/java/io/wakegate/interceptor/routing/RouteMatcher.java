package io.wakegate.interceptor.routing;

import io.netty.handler.codec.http.HttpHeaders;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Finds the route of a request from its host, path and headers.
 *
 * <p><b>Precedence.</b> The most specific route wins: an exact host over a wildcard host
 * (a longer wildcard suffix over a shorter one) over any host; within a host, a longer path
 * prefix (more segments) over a shorter one; then more header conditions over fewer; then the
 * entry added first. A route whose header conditions fail falls back to the next one in that
 * order: fewer conditions on the same prefix, a shorter prefix on the same host, then the
 * wildcard hosts from the longest suffix, then the routes for any host.
 *
 * <p><b>Cost.</b> One pass over the host (exact and wildcard lookups in hash tables, no
 * lower-cased copy), one pass down a trie of path segments per host tier tried, and the header
 * conditions of the candidates on the way. Nothing depends on the number of routes and nothing
 * is allocated.
 *
 * <p><b>Threading.</b> Immutable and thread-safe: build one with {@link #builder()}, publish it
 * whole (for example through an {@code AtomicReference}) and call {@link #match} from any event
 * loop. The {@link Builder} is not thread-safe.
 *
 * @param <T> the caller's route object
 */
public final class RouteMatcher<T> {

    private final HostTable<T> exactHosts;
    private final HostTable<T> wildcardHosts;
    private final HostTable.Entry<T> anyHost;
    private final int size;
    private final List<String> conflicts;
    private final List<ModelConflict> modelConflicts;
    private final boolean hasModels;

    private RouteMatcher(HostTable<T> exactHosts, HostTable<T> wildcardHosts, HostTable.Entry<T> anyHost,
                         int size, List<String> conflicts, List<ModelConflict> modelConflicts, boolean hasModels) {
        this.exactHosts = exactHosts;
        this.wildcardHosts = wildcardHosts;
        this.anyHost = anyHost;
        this.size = size;
        this.conflicts = conflicts;
        this.modelConflicts = modelConflicts;
        this.hasModels = hasModels;
    }

    public static <T> Builder<T> builder() {
        return new Builder<>();
    }

    /**
     * Lower-cases {@code rawHost} and strips surrounding whitespace, user info, the port, the
     * brackets of an IPv6 literal ({@code "[::1]:8080"} gives {@code "::1"}) and a trailing
     * dot; returns {@code ""} for {@code null} or blank. The matcher compares hosts in this form.
     */
    public static String normalizeHost(String rawHost) {
        return HostNames.normalize(rawHost);
    }

    /**
     * The target of the most specific matching route, or {@code null} when none matches.
     *
     * @param host    the raw {@code Host} header value or request authority (any case, may carry
     *                a port, may be an IPv6 literal, may end with a dot); {@code null} for none,
     *                which only routes for any host match
     * @param path    the request path; anything from the first {@code ?} or {@code #} is ignored;
     *                {@code null} is read as {@code /}
     * @param headers the request headers; {@code null} is read as no headers
     */
    public T match(String host, String path, HttpHeaders headers) {
        return match(host, path, headers, null);
    }

    /**
     * As {@link #match(String, String, HttpHeaders)}, for a request naming {@code model} (null
     * when it names none): a route with models matches only when it lists {@code model}.
     */
    public T match(String host, String path, HttpHeaders headers, String model) {
        PathTrie.Entry<T> entry = find(host, path, headers, model, false);
        return entry == null ? null : entry.target(model);
    }

    /**
     * Whether the route of this request depends on the model it names: the most specific
     * candidate is a route with models. Only then is its body worth reading for a model.
     */
    public boolean needsModel(String host, String path, HttpHeaders headers) {
        if (!hasModels) {
            return false;
        }
        PathTrie.Entry<T> entry = find(host, path, headers, null, true);
        return entry != null && entry.models != null;
    }

    private PathTrie.Entry<T> find(String host, String path, HttpHeaders headers, String model, boolean anyModel) {
        for (HostTable.Entry<T> tier = hostEntry(host); tier != null; tier = tier.fallback) {
            PathTrie.Entry<T> entry = tier.match(path, headers, model, anyModel);
            if (entry != null) {
                return entry;
            }
        }
        return null;
    }

    /** The routes for any host (tests look at the structure built). */
    HostTable.Entry<T> anyHostForTest() {
        return anyHost;
    }

    /** Whether any route has models. */
    public boolean hasModels() {
        return hasModels;
    }

    /**
     * Model names claimed twice on one host, path prefix and header set: the later claim never
     * matches. Callers refuse such a table.
     */
    public List<ModelConflict> modelConflicts() {
        return modelConflicts;
    }

    /**
     * Entry {@code entry} (0-based {@code add} order) lists {@code model}, which entry
     * {@code earlier} already serves on {@code where} ({@code host/prefix [headers]}).
     */
    public record ModelConflict(int entry, String model, int earlier, String where) {
    }

    /** The number of (rule, target) entries added. */
    public int size() {
        return size;
    }

    /**
     * One line per entry that can never match because, for every host and prefix it lists,
     * an earlier entry has the same host, prefix and header conditions. Meant to be logged as a
     * warning; entries are named {@code entries[i]} by their 0-based {@code add} order.
     */
    public List<String> conflicts() {
        return conflicts;
    }

    /** The first host tier to try: the exact host, else the longest matching wildcard, else any host. */
    private HostTable.Entry<T> hostEntry(String host) {
        long range = HostNames.range(host);
        int start = HostNames.start(range);
        int end = HostNames.end(range);
        if (start == end) {
            return anyHost;
        }
        HostTable<T> wildcards = HostNames.isIpv6(range) ? null : wildcardHosts;
        HostTable.Entry<T> wildcard = null;
        // Right to left, so that the hash of every suffix after a dot is known when the dot is
        // reached: the last wildcard found is the longest. The final hash is the whole host's.
        int hash = 0;
        int power = 1;
        for (int i = end - 1; i >= start; i--) {
            char c = HostNames.toLowerAscii(host.charAt(i));
            if (c == '.' && wildcards != null && i > start) {
                HostTable.Entry<T> found = wildcards.get(host, i + 1, end, hash);
                if (found != null) {
                    wildcard = found;
                }
            }
            hash += c * power;
            power *= 31;
        }
        HostTable.Entry<T> exact = exactHosts == null ? null : exactHosts.get(host, start, end, hash);
        if (exact != null) {
            return exact;
        }
        return wildcard != null ? wildcard : anyHost;
    }

    @Override
    public String toString() {
        return "RouteMatcher{size=" + size + ", conflicts=" + conflicts.size() + '}';
    }

    /** Collects (rule, target) entries in declaration order. Not thread-safe; reusable. */
    public static final class Builder<T> {
        private final List<RouteRule> rules = new ArrayList<>();
        private final List<T> targets = new ArrayList<>();

        private Builder() {
        }

        /** Adds a route; among equally specific routes, the one added first wins. */
        public Builder<T> add(RouteRule rule, T target) {
            if (rule == null) {
                throw new IllegalArgumentException("rule: null (expected: a route rule)");
            }
            if (target == null) {
                throw new IllegalArgumentException("target: null (expected: a route target)");
            }
            rules.add(rule);
            targets.add(target);
            return this;
        }

        /** Builds the immutable matcher and works out {@link RouteMatcher#conflicts()}. */
        public RouteMatcher<T> build() {
            Map<String, PathTrie.Builder<T>> exact = new LinkedHashMap<>();
            Map<String, PathTrie.Builder<T>> wildcard = new LinkedHashMap<>();
            PathTrie.Builder<T> any = null;
            Map<String, Integer> firstWithKey = new java.util.HashMap<>();
            List<String> conflicts = new ArrayList<>();
            List<ModelConflict> modelConflicts = new ArrayList<>();
            boolean hasModels = false;

            for (int order = 0; order < rules.size(); order++) {
                RouteRule rule = rules.get(order);
                List<HeaderCondition> conditions = distinctConditions(rule.headers());
                String headerKey = conditions.stream()
                        .map(c -> c.name().toLowerCase(Locale.ROOT) + (c.value() == null ? "\u0001" : "\u0000" + c.value()))
                        .sorted().collect(Collectors.joining("\u0002"));
                PathTrie.Entry<T> entry = new PathTrie.Entry<>(order, targets.get(order), conditions);

                Set<String> hostKeys = new LinkedHashSet<>();
                if (rule.anyHost()) {
                    hostKeys.add("*");
                } else {
                    for (String host : rule.hosts()) {
                        hostKeys.add(host.startsWith("*.")
                                ? "*." + HostNames.normalize(host.substring(2))
                                : HostNames.normalize(host));
                    }
                }
                Set<List<String>> prefixes = new LinkedHashSet<>();
                if (rule.pathPrefixes().isEmpty()) {
                    prefixes.add(List.of());
                } else {
                    for (String prefix : rule.pathPrefixes()) {
                        prefixes.add(segments(prefix));
                    }
                }

                int keys = 0;
                Set<Integer> shadowedBy = new TreeSet<>();
                for (String hostKey : hostKeys) {
                    PathTrie.Builder<T> trie;
                    if (hostKey.equals("*")) {
                        trie = any == null ? any = new PathTrie.Builder<>() : any;
                    } else if (hostKey.startsWith("*.")) {
                        trie = wildcard.computeIfAbsent(hostKey.substring(2), k -> new PathTrie.Builder<>());
                    } else {
                        trie = exact.computeIfAbsent(hostKey, k -> new PathTrie.Builder<>());
                    }
                    for (List<String> prefix : prefixes) {
                        String where = hostKey + '\n' + String.join("/", prefix) + '\n' + headerKey;
                        if (!rule.models().isEmpty()) {
                            // Each model is its own claim; a rule with models shadows nothing.
                            trie.addModels(prefix, headerKey, order, conditions, rule.models(), targets.get(order));
                            for (String model : rule.models()) {
                                Integer earlier = firstWithKey.putIfAbsent(where + '\n' + model, order);
                                if (earlier != null) {
                                    modelConflicts.add(new ModelConflict(order, model, earlier, readable(where)));
                                }
                            }
                            continue;
                        }
                        trie.add(prefix, entry);
                        keys++;
                        Integer earlier = firstWithKey.putIfAbsent(
                                hostKey + '\n' + String.join("/", prefix) + '\n' + headerKey, order);
                        if (earlier != null) {
                            shadowedBy.add(earlier);
                        }
                    }
                }
                hasModels |= !rule.models().isEmpty();
                if (!shadowedBy.isEmpty() && fullyShadowed(keys, hostKeys, prefixes, headerKey, firstWithKey, order)) {
                    conflicts.add("entries[" + order + "] (" + targets.get(order) + ") is shadowed by "
                            + shadowedBy.stream().map(i -> "entries[" + i + "] (" + targets.get(i) + ")")
                                    .collect(Collectors.joining(", "))
                            + ": same host, path prefix and header conditions, added earlier; it never matches");
                }
            }

            HostTable.Entry<T> anyEntry = any == null ? null : new HostTable.Entry<>("*", any.build(), null);
            // Shorter suffixes first, so that a wildcard's fallback (the longest wildcard matching
            // its suffix, necessarily shorter) exists when the wildcard is created.
            Map<String, HostTable.Entry<T>> wildcardEntries = new LinkedHashMap<>();
            wildcard.entrySet().stream()
                    .sorted(Comparator.comparingInt(e -> e.getKey().length()))
                    .forEach(e -> wildcardEntries.put(e.getKey(), new HostTable.Entry<>(e.getKey(), e.getValue().build(),
                            orElse(longestWildcard(e.getKey(), wildcardEntries), anyEntry))));
            Map<String, HostTable.Entry<T>> exactEntries = new LinkedHashMap<>();
            exact.forEach((host, trie) -> exactEntries.put(host, new HostTable.Entry<>(host, trie.build(),
                    orElse(host.indexOf(':') >= 0 ? null : longestWildcard(host, wildcardEntries), anyEntry))));

            return new RouteMatcher<>(
                    exactEntries.isEmpty() ? null : new HostTable<>(exactEntries.values()),
                    wildcardEntries.isEmpty() ? null : new HostTable<>(wildcardEntries.values()),
                    anyEntry, rules.size(), List.copyOf(conflicts), List.copyOf(modelConflicts), hasModels);
        }

        /** "host\nsegments\nheaders" as {@code host/path [headers]}. */
        private static String readable(String where) {
            String[] parts = where.split("\n", -1);
            return parts[0] + "/" + parts[1] + (parts[2].isEmpty() ? "" : " [" + parts[2]
                    .replace('\u0002', ',').replace('\u0000', '=').replace("\u0001", "") + "]");
        }

        private static boolean fullyShadowed(int keys, Set<String> hostKeys, Set<List<String>> prefixes,
                                             String headerKey, Map<String, Integer> firstWithKey, int order) {
            int shadowed = 0;
            for (String hostKey : hostKeys) {
                for (List<String> prefix : prefixes) {
                    if (firstWithKey.get(hostKey + '\n' + String.join("/", prefix) + '\n' + headerKey) < order) {
                        shadowed++;
                    }
                }
            }
            return shadowed == keys;
        }

        private static <T> HostTable.Entry<T> orElse(HostTable.Entry<T> entry, HostTable.Entry<T> other) {
            return entry != null ? entry : other;
        }

        /** The wildcard with the longest suffix that matches {@code host} (lower case), or null. */
        private static <T> HostTable.Entry<T> longestWildcard(String host, Map<String, HostTable.Entry<T>> wildcards) {
            for (int dot = host.indexOf('.', 1); dot >= 0; dot = host.indexOf('.', dot + 1)) {
                HostTable.Entry<T> found = wildcards.get(host.substring(dot + 1));
                if (found != null) {
                    return found;
                }
            }
            return null;
        }

        /** Header conditions without repeats (names compared case-insensitively). */
        private static List<HeaderCondition> distinctConditions(List<HeaderCondition> conditions) {
            Map<String, HeaderCondition> distinct = new LinkedHashMap<>();
            for (HeaderCondition condition : conditions) {
                distinct.putIfAbsent(condition.name().toLowerCase(Locale.ROOT) + '\u0000' + condition.value(), condition);
            }
            return List.copyOf(distinct.values());
        }

        /** "/api/v1/" → [api, v1]; "/" → []. */
        private static List<String> segments(String prefix) {
            List<String> segments = new ArrayList<>();
            int start = 1;
            while (start < prefix.length()) {
                int slash = prefix.indexOf('/', start);
                int end = slash < 0 ? prefix.length() : slash;
                segments.add(prefix.substring(start, end));
                start = end + 1;
            }
            return List.copyOf(segments);
        }
    }
}
