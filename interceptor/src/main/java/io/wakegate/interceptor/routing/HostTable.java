package io.wakegate.interceptor.routing;

import java.util.Map;

/**
 * An open-addressed map from lower-case host names to values, looked up by a range of a raw
 * string, ASCII case-insensitively, with a hash the caller computed ({@link String#hashCode()}
 * of the lower-cased range). Lets the matcher find a host without copying or lower-casing it.
 */
final class HostTable<V> {

    private final String[] keys;
    private final int[] hashes;
    private final Object[] values;
    private final int mask;

    /** {@code entries}' keys must already be lower case. */
    HostTable(Map<String, V> entries) {
        int size = PathTrie.tableSize(Math.max(1, entries.size()));
        keys = new String[size];
        hashes = new int[size];
        values = new Object[size];
        mask = size - 1;
        for (Map.Entry<String, V> entry : entries.entrySet()) {
            int hash = entry.getKey().hashCode();
            int i = PathTrie.spread(hash) & mask;
            while (keys[i] != null) {
                i = (i + 1) & mask;
            }
            keys[i] = entry.getKey();
            hashes[i] = hash;
            values[i] = entry.getValue();
        }
    }

    boolean isEmpty() {
        for (String key : keys) {
            if (key != null) {
                return false;
            }
        }
        return true;
    }

    /** The value for {@code raw[start, end)} compared ASCII case-insensitively, or {@code null}. */
    @SuppressWarnings("unchecked")
    V get(String raw, int start, int end, int hash) {
        for (int i = PathTrie.spread(hash) & mask; ; i = (i + 1) & mask) {
            String key = keys[i];
            if (key == null) {
                return null;
            }
            if (hashes[i] == hash && equalsLowerCase(key, raw, start, end)) {
                return (V) values[i];
            }
        }
    }

    private static boolean equalsLowerCase(String key, String raw, int start, int end) {
        if (key.length() != end - start) {
            return false;
        }
        for (int i = 0; i < key.length(); i++) {
            if (key.charAt(i) != HostNames.toLowerAscii(raw.charAt(start + i))) {
                return false;
            }
        }
        return true;
    }
}
