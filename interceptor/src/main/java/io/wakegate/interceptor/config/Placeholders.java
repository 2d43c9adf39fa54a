package io.wakegate.interceptor.config;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Expands {@code ${NAME}} in process commands and environments. Names come from Wakegate's
 * environment, plus two that let a configuration start Java programs shipped with Wakegate
 * (the demo model host) without knowing where Java or the jar are:
 * {@code WAKEGATE_JAVA} (this JVM's {@code java} executable) and {@code WAKEGATE_CLASSPATH}
 * (this JVM's class path). {@code $$} is a literal {@code $}.
 */
public final class Placeholders {

    public static final String JAVA = "WAKEGATE_JAVA";
    public static final String CLASSPATH = "WAKEGATE_CLASSPATH";

    private static final Pattern REFERENCE = Pattern.compile("\\$\\$|\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

    private Placeholders() {
    }

    /** The process environment plus the built-in names (which the environment may override). */
    public static Map<String, String> environment() {
        Map<String, String> env = new HashMap<>();
        env.put(JAVA, Path.of(System.getProperty("java.home"), "bin", "java").toString());
        env.put(CLASSPATH, absoluteClassPath());
        env.putAll(System.getenv());
        return env;
    }

    /** This JVM's class path with absolute entries, so a child in another directory can use it. */
    private static String absoluteClassPath() {
        StringBuilder out = new StringBuilder();
        for (String entry : System.getProperty("java.class.path", "").split(java.io.File.pathSeparator)) {
            if (!entry.isEmpty()) {
                out.append(out.length() == 0 ? "" : java.io.File.pathSeparator)
                        .append(Path.of(entry).toAbsolutePath().normalize());
            }
        }
        return out.toString();
    }

    /** {@code value} with every reference replaced; IllegalArgumentException names an unset one. */
    public static String expand(String value, Map<String, String> environment) {
        Matcher m = REFERENCE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement;
            if (m.group(1) == null) {
                replacement = "$";
            } else {
                replacement = environment.get(m.group(1));
                if (replacement == null) {
                    throw new IllegalArgumentException(Checks.quote(value) + ": ${" + m.group(1)
                            + "} is not set (expected: a variable of Wakegate's environment, "
                            + JAVA + " or " + CLASSPATH + ")");
                }
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }
}
