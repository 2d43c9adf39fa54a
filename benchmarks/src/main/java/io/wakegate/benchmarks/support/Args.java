package io.wakegate.benchmarks.support;

import java.util.HashMap;
import java.util.Map;

/** {@code --name value} command-line pairs of the benchmark mains. */
public final class Args {

    private final Map<String, String> values = new HashMap<>();

    public Args(String[] args) {
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("argument " + args[i] + " (expected: --name value pairs)");
            }
            values.put(args[i], args[i + 1]);
        }
        if (args.length % 2 != 0) {
            throw new IllegalArgumentException("argument " + args[args.length - 1] + " has no value");
        }
    }

    public String string(String name, String dflt) {
        return values.getOrDefault(name, dflt);
    }

    public String required(String name) {
        String v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException(name + ": missing (expected: a value)");
        }
        return v;
    }

    public int integer(String name, int dflt) {
        String v = values.get(name);
        return v == null ? dflt : Integer.parseInt(v);
    }
}
