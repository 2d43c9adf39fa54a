package io.wakegate.interceptor.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads the interceptor's YAML configuration file into a validated {@link WakegateConfig}.
 *
 * <p>Reading happens in two passes that both collect problems instead of stopping at the
 * first: binding (unknown fields, wrong types, bad durations and sizes) and validation
 * (ranges, required fields, uniqueness). A YAML syntax error ends the first pass and is
 * reported with its line and column. An empty file is valid: every default, no routes.
 *
 * <p>Stateless and thread-safe.
 */
public final class ConfigLoader {

    private ConfigLoader() {
    }

    /**
     * Reads, parses and validates {@code file}; problems name it as given.
     *
     * @throws ConfigException if the file cannot be read or holds any problem
     */
    public static WakegateConfig load(Path file) throws ConfigException {
        String source = file.toString();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ConfigException(source, List.of("cannot read the file: " + e), e);
        }
        return parse(bytes, file);
    }

    /**
     * Parses {@code content} as read from {@code file}: problems name the file as given and
     * relative paths start at its folder, on the first load and on every reload alike.
     */
    static WakegateConfig parse(byte[] content, Path file) throws ConfigException {
        return parse(new String(content, StandardCharsets.UTF_8), file.toString(), file.toAbsolutePath().getParent(),
                Placeholders.environment());
    }

    /**
     * Whether {@code content} holds no document: nothing, whitespace or comments only. Such a file
     * is valid at start-up, but on a reload it is what a file caught between truncate and write
     * looks like.
     */
    static boolean isEmptyDocument(byte[] content) {
        try (JsonParser parser = YamlBinding.reader(new Problems()).createParser(content)) {
            JsonToken first = parser.nextToken();
            return first == null || first == JsonToken.VALUE_NULL;
        } catch (IOException e) {
            return false; // not empty: parsing reports the problem
        }
    }

    /**
     * Parses and validates {@code yaml}; relative paths start at the working directory. A
     * document read from a file goes through {@link #load} or {@link #parse(byte[], Path)}
     * instead, so its paths start at the file's folder.
     *
     * @param sourceName how problems name the document, e.g. {@code wakegate.yaml}
     * @throws ConfigException listing every problem found
     */
    public static WakegateConfig parse(String yaml, String sourceName) throws ConfigException {
        return parse(yaml, sourceName, Path.of("").toAbsolutePath(), Placeholders.environment());
    }

    /**
     * Parses and validates {@code yaml}; relative paths start at {@code baseDirectory} and
     * {@code ${NAME}} references expand from {@code environment}.
     */
    public static WakegateConfig parse(String yaml, String sourceName, Path baseDirectory,
                                       java.util.Map<String, String> environment) throws ConfigException {
        Problems problems = new Problems();
        ObjectReader reader = YamlBinding.reader(problems);
        RawConfig raw = null;
        try (JsonParser parser = reader.createParser(yaml)) {
            JsonToken first = parser.nextToken();
            if (first == JsonToken.START_OBJECT) {
                raw = reader.readValue(parser);
                if (parser.nextToken() != null) {
                    problems.add("", at(parser.currentLocation())
                            + "a second YAML document (expected: a single document)");
                }
            } else if (first != null && first != JsonToken.VALUE_NULL) {
                problems.add("", "the document is " + YamlBinding.describe(parser)
                        + " (expected: a mapping with server, limits, forwarding, shutdown, routes)");
            } // else an empty document: all defaults
        } catch (JsonProcessingException e) {
            String path = path(e);
            String reason = unreadable(e);
            Matcher duplicate = DUPLICATE.matcher(reason);
            if (duplicate.matches()) { // "name: line 3, column 7: duplicate field"
                path = path.isEmpty() ? duplicate.group(1) : path + "." + duplicate.group(1);
                reason = duplicate.group(2);
            }
            problems.add(path, reason);
            throw new ConfigException(sourceName, problems.messages(), e);
        } catch (IOException e) {
            throw new ConfigException(sourceName, List.of("cannot read the document: " + e), e);
        }
        RawConfig document = raw != null ? raw : new RawConfig();
        WakegateConfig config = new ConfigValidator(problems, baseDirectory, environment).validate(document);
        if (!problems.isEmpty()) {
            throw new ConfigException(sourceName, problems.messages());
        }
        return config;
    }

    /** The field path of a databind error; {@code ""} for a plain parse error. */
    private static String path(JsonProcessingException e) {
        StringBuilder path = new StringBuilder();
        if (e instanceof JsonMappingException mapping && !(syntaxError(e) instanceof MarkedYAMLException)) {
            for (JsonMappingException.Reference ref : mapping.getPath()) {
                if (ref.getIndex() >= 0) {
                    path.append('[').append(ref.getIndex()).append(']');
                } else if (ref.getFieldName() != null) {
                    path.append(path.length() == 0 ? "" : ".").append(ref.getFieldName());
                }
            }
        }
        return path.toString();
    }

    /**
     * The reason a document could not be read at all, with its location:
     * {@code line 3, column 7: invalid YAML: mapping values are not allowed here}.
     */
    private static String unreadable(JsonProcessingException e) {
        Throwable cause = syntaxError(e);
        if (cause instanceof MarkedYAMLException marked && marked.getProblem() != null) {
            Mark mark = marked.getProblemMark();
            String where = mark == null ? "" : "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) + ": ";
            return where + "invalid YAML: " + marked.getProblem()
                    + (marked.getContext() != null ? " (" + marked.getContext() + ")" : "");
        }
        JsonProcessingException innermost = cause instanceof JsonProcessingException j ? j : e;
        String message = innermost.getOriginalMessage();
        Matcher duplicate = DUPLICATE_FIELD.matcher(message);
        if (duplicate.find()) {
            return duplicate.group(1) + ": " + at(innermost.getLocation()) + "duplicate field";
        }
        return at(innermost.getLocation()) + message.strip();
    }

    private static final Pattern DUPLICATE_FIELD = Pattern.compile("Duplicate field '([^']*)'");
    private static final Pattern DUPLICATE = Pattern.compile("([^:]*): (line .*duplicate field)");

    /** The innermost cause: the YAML parser's own exception when there is one. */
    private static Throwable syntaxError(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    private static String at(JsonLocation location) {
        return location == null || location.getLineNr() < 1 ? ""
                : "line " + location.getLineNr() + ", column " + location.getColumnNr() + ": ";
    }
}
