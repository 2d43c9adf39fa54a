package io.wakegate.interceptor.config;

import java.util.List;

/**
 * A configuration file that cannot be used. Carries every problem found, each naming the
 * file, the field path and the reason: {@code wakegate.yaml: server.port: 70000 (expected:
 * a port 0..65535, 0 = any free port)}. {@link #getMessage()} is all of them, one per line.
 */
public final class ConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String source;
    private final List<String> problems;

    /**
     * @param source   the file name as the user knows it, e.g. {@code wakegate.yaml}
     * @param problems each {@code path: reason}; the source is prefixed here
     */
    public ConfigException(String source, List<String> problems) {
        this(source, problems, null);
    }

    public ConfigException(String source, List<String> problems, Throwable cause) {
        super(join(source, problems), cause);
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("problems: empty (expected: at least one)");
        }
        this.source = source;
        this.problems = problems.stream().map(p -> source + ": " + p).toList();
    }

    private static String join(String source, List<String> problems) {
        return String.join("\n", problems.stream().map(p -> source + ": " + p).toList());
    }

    /** The file the problems are in. */
    public String source() {
        return source;
    }

    /** Every problem, in file order where known, each prefixed with {@code source + ": "}. */
    public List<String> problems() {
        return problems;
    }
}
