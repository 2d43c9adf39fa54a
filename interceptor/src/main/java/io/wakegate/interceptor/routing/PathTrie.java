package io.wakegate.interceptor.routing;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tries over path segments: the routes of one host pattern. Each node holds the routes
 * whose prefix ends there, most specific first (more header conditions, then declaration
 * order). Built by {@link Builder}, then never changed.
 */
final class PathTrie {

    private PathTrie() {
    }

    /**
     * The most specific entry for {@code path} whose header conditions hold and that serves
     * {@code model}, or {@code null}. With {@code anyModel}, an entry with models is taken
     * whatever the model (to learn whether the answer depends on it). An entry without models
     * serves every model. Walks the path once down the trie, then tries nodes from the deepest
     * back to the root.
     */
    static <T> Entry<T> match(Node<T> root, String path, HttpHeaders headers, String model, boolean anyModel) {
        Node<T> node = root;
        if (path != null && node.table != null) {
            int length = path.length();
            int i = length > 0 && path.charAt(0) == '/' ? 1 : 0;
            while (i < length) {
                int start = i;
                int hash = 0;
                char c = 0;
                while (i < length && (c = path.charAt(i)) != '/' && c != '?' && c != '#') {
                    hash = 31 * hash + c;
                    i++;
                }
                Node<T> child = node.child(path, start, i, hash);
                if (child == null) {
                    break;
                }
                node = child;
                if (i == length || c != '/' || node.table == null) {
                    break;
                }
                i++;
            }
        }
        for (Node<T> candidate = node.routed; candidate != null; candidate = candidate.routedAncestor) {
            for (Entry<T> entry : candidate.entries) {
                if (entry.headersMatch(headers) && (entry.models == null || anyModel
                        || model != null && entry.models.containsKey(model))) {
                    return entry;
                }
            }
        }
        return null;
    }

    /**
     * One (rule, target) pair as registered under one host pattern and prefix; or, for rules with
     * models, every such rule with the same header conditions merged into one entry whose
     * {@link #models} map each model name to its target: one hash lookup, however many models.
     */
    static final class Entry<T> {
        final int order;
        /** The target of a rule without models; null for an entry with models. */
        final T target;
        /** Model name to target; null for a rule without models. Never changed once built. */
        final Map<String, T> models;
        private final AsciiString[] names;
        private final String[] values;

        Entry(int order, T target, List<HeaderCondition> conditions) {
            this(order, target, null, conditions);
        }

        Entry(int order, T target, Map<String, T> models, List<HeaderCondition> conditions) {
            this.order = order;
            this.target = target;
            this.models = models;
            this.names = new AsciiString[conditions.size()];
            this.values = new String[conditions.size()];
            for (int i = 0; i < conditions.size(); i++) {
                HeaderCondition condition = conditions.get(i);
                names[i] = AsciiString.cached(condition.name());
                values[i] = condition.value();
            }
        }

        int conditionCount() {
            return names.length;
        }

        /** The target for a request naming {@code model} (null for none); the entry serves it. */
        T target(String model) {
            return models == null ? target : models.get(model);
        }

        boolean headersMatch(HttpHeaders headers) {
            if (names.length == 0) {
                return true;
            }
            if (headers == null) {
                return false;
            }
            for (int i = 0; i < names.length; i++) {
                boolean holds = values[i] == null
                        ? headers.contains(names[i])
                        : headers.contains(names[i], values[i], false);
                if (!holds) {
                    return false;
                }
            }
            return true;
        }
    }

    static final class Node<T> {
        /** A char array rather than a String: one object less to load per level. */
        final char[] segment;
        final int hash;
        /** Most specific first. */
        final Entry<T>[] entries;
        /** The nearest strict ancestor with entries, or {@code null}. */
        final Node<T> routedAncestor;
        /** This node if it has entries, else {@link #routedAncestor}. */
        final Node<T> routed;
        /** Children, open-addressed by segment hash; {@code null} for a leaf. Set once while building. */
        Node<T>[] table;

        Node(String segment, Entry<T>[] entries, Node<T> routedAncestor) {
            this.segment = segment.toCharArray();
            this.hash = segment.hashCode();
            this.entries = entries;
            this.routedAncestor = routedAncestor;
            this.routed = entries.length > 0 ? this : routedAncestor;
        }

        private boolean matches(String path, int start, int end) {
            char[] segment = this.segment;
            if (segment.length != end - start) {
                return false;
            }
            for (int i = 0; i < segment.length; i++) {
                if (segment[i] != path.charAt(start + i)) {
                    return false;
                }
            }
            return true;
        }

        Node<T> child(String path, int start, int end, int hash) {
            Node<T>[] table = this.table;
            if (table == null) {
                return null;
            }
            int mask = table.length - 1;
            for (int i = spread(hash) & mask; ; i = (i + 1) & mask) {
                Node<T> candidate = table[i];
                if (candidate == null) {
                    return null;
                }
                if (candidate.hash == hash && candidate.matches(path, start, end)) {
                    return candidate;
                }
            }
        }
    }

    static int spread(int hash) {
        return hash ^ (hash >>> 16);
    }

    /** Power of two with a load factor of at most one half. */
    static int tableSize(int count) {
        int size = 2;
        while (size < count * 2) {
            size <<= 1;
        }
        return size;
    }

    /** Collects entries by prefix; {@link #build()} sorts them and freezes the trie. */
    static final class Builder<T> {
        private final BuildNode<T> root = new BuildNode<>("");

        /** Adds {@code entry} under {@code segments} (already normalized: no empty segment). */
        void add(List<String> segments, Entry<T> entry) {
            BuildNode<T> node = root;
            for (String segment : segments) {
                node = node.children.computeIfAbsent(segment, BuildNode::new);
            }
            node.entries.add(entry);
        }

        /**
         * Adds a rule with models under {@code segments}: merged with the earlier rules with models
         * and the same header conditions ({@code headerKey}) there; a model already present keeps
         * its earlier target.
         */
        void addModels(List<String> segments, String headerKey, int order, List<HeaderCondition> conditions,
                       List<String> models, T target) {
            BuildNode<T> node = root;
            for (String segment : segments) {
                node = node.children.computeIfAbsent(segment, BuildNode::new);
            }
            ModelGroup<T> group = node.modelGroups.computeIfAbsent(headerKey, k -> new ModelGroup<>(order, conditions));
            for (String model : models) {
                group.models.putIfAbsent(model, target);
            }
        }

        Node<T> build() {
            return freeze(root, null);
        }

        @SuppressWarnings("unchecked")
        private static <T> Node<T> freeze(BuildNode<T> source, Node<T> routedAncestor) {
            List<Entry<T>> sorted = new ArrayList<>(source.entries);
            for (ModelGroup<T> group : source.modelGroups.values()) {
                sorted.add(new Entry<>(group.order, null, Map.copyOf(group.models), group.conditions));
            }
            // More header conditions first; at equal conditions an entry with models (one more
            // condition) before one without, which serves the requests naming none of them.
            sorted.sort(Comparator.<Entry<T>>comparingInt(e -> -e.conditionCount())
                    .thenComparingInt(e -> e.models == null ? 1 : 0)
                    .thenComparingInt(e -> e.order));
            Node<T> node = new Node<>(source.segment, sorted.toArray(new Entry[0]), routedAncestor);
            if (!source.children.isEmpty()) {
                Node<T>[] table = new Node[tableSize(source.children.size())];
                int mask = table.length - 1;
                for (BuildNode<T> child : source.children.values()) {
                    Node<T> frozen = freeze(child, node.routed);
                    int i = spread(frozen.hash) & mask;
                    while (table[i] != null) {
                        i = (i + 1) & mask;
                    }
                    table[i] = frozen;
                }
                node.table = table;
            }
            return node;
        }
    }

    private static final class BuildNode<T> {
        final String segment;
        final Map<String, BuildNode<T>> children = new LinkedHashMap<>();
        final List<Entry<T>> entries = new ArrayList<>();
        /** Rules with models, by header key. */
        final Map<String, ModelGroup<T>> modelGroups = new LinkedHashMap<>();

        BuildNode(String segment) {
            this.segment = segment;
        }
    }

    /** The rules with models and the same header conditions on one node, while building. */
    private static final class ModelGroup<T> {
        final int order;
        final List<HeaderCondition> conditions;
        final Map<String, T> models = new LinkedHashMap<>();

        ModelGroup(int order, List<HeaderCondition> conditions) {
            this.order = order;
            this.conditions = conditions;
        }
    }
}
