package io.wakegate.interceptor.routing;

import io.netty.handler.codec.http.HttpHeaders;

import java.util.Collection;

/**
 * An open-addressed table of {@link Entry host entries} keyed by lower-case host name (or
 * wildcard suffix), looked up by a range of the raw {@code Host} value, ASCII
 * case-insensitively, with a hash the caller computed ({@link String#hashCode()} of the
 * lower-cased range). The slots are the entries themselves, so a hit costs few memory loads.
 */
final class HostTable<T> {

    private final Entry<T>[] slots;
    private final int mask;

    @SuppressWarnings("unchecked")
    HostTable(Collection<Entry<T>> entries) {
        slots = new Entry[PathTrie.tableSize(Math.max(1, entries.size()))];
        mask = slots.length - 1;
        for (Entry<T> entry : entries) {
            int i = PathTrie.spread(entry.hash) & mask;
            while (slots[i] != null) {
                i = (i + 1) & mask;
            }
            slots[i] = entry;
        }
    }

    /** The entry for {@code raw[start, end)} compared ASCII case-insensitively, or {@code null}. */
    Entry<T> get(String raw, int start, int end, int hash) {
        for (int i = PathTrie.spread(hash) & mask; ; i = (i + 1) & mask) {
            Entry<T> entry = slots[i];
            if (entry == null) {
                return null;
            }
            if (entry.hash == hash && entry.nameEquals(raw, start, end)) {
                return entry;
            }
        }
    }

    /** The routes of one host pattern, and the next less specific pattern a host it matches falls back to. */
    static final class Entry<T> {
        private final char[] name;
        final int hash;
        final PathTrie.Node<T> root;
        final Entry<T> fallback;

        /** {@code name}: the lower-case host, or the suffix after {@code *.} of a wildcard. */
        Entry(String name, PathTrie.Node<T> root, Entry<T> fallback) {
            this.name = name.toCharArray();
            this.hash = name.hashCode();
            this.root = root;
            this.fallback = fallback;
        }

        PathTrie.Entry<T> match(String path, HttpHeaders headers, String model, boolean anyModel) {
            return PathTrie.match(root, path, headers, model, anyModel);
        }

        private boolean nameEquals(String raw, int start, int end) {
            char[] name = this.name;
            if (name.length != end - start) {
                return false;
            }
            for (int i = 0; i < name.length; i++) {
                if (name[i] != HostNames.toLowerAscii(raw.charAt(start + i))) {
                    return false;
                }
            }
            return true;
        }
    }
}
