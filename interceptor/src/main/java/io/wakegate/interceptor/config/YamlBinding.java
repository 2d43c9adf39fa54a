package io.wakegate.interceptor.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.deser.ValueInstantiator;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;

/**
 * Jackson set-up for the configuration file: a strict YAML mapper, deserializers for the
 * duration and size syntaxes, and a problem handler. Value and type errors do not stop the
 * parse: they are recorded in the {@link Problems} passed as a reader attribute, with the
 * field path taken from the parser, and the value is read as absent. Only YAML syntax
 * errors (and anything Jackson cannot recover from) end the parse.
 */
final class YamlBinding {

    private static final YAMLMapper MAPPER = createMapper();

    private YamlBinding() {
    }

    /** A reader for {@link RawConfig} that records problems into {@code problems}. */
    static ObjectReader reader(Problems problems) {
        return MAPPER.readerFor(RawConfig.class).withAttribute(Problems.class, problems);
    }

    private static YAMLMapper createMapper() {
        SimpleModule module = new SimpleModule("wakegate-config");
        module.addDeserializer(Duration.class, new TextValueDeserializer<>(Duration.class, "a duration",
                Durations::parse, number -> number + " has no unit (expected: " + Durations.EXPECTED + ")"));
        module.addDeserializer(Long.class, new IntegerDeserializer());
        module.addDeserializer(RawConfig.ByteSize.class, new TextValueDeserializer<>(RawConfig.ByteSize.class,
                "a size", text -> new RawConfig.ByteSize(Sizes.parse(text)), null));
        return YAMLMapper.builder()
                .addModule(module)
                .addHandler(new CollectingHandler())
                
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
    }

    /** The field path of the value the parser is at, e.g. {@code routes[1].hold.coldStartTimeout}. */
    static String path(JsonParser p) {
        JsonStreamContext context = p.getParsingContext();
        JsonToken token = p.currentToken();
        if ((token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) && context.getParent() != null) {
            context = context.getParent(); // the parser already entered the value's own context
        }
        Deque<String> parts = new ArrayDeque<>();
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray()) {
                parts.push("[" + Math.max(c.getCurrentIndex(), 0) + "]");
            } else if (c.getCurrentName() != null) {
                parts.push((parts.isEmpty() && c.getParent().inRoot() ? "" : ".") + c.getCurrentName());
            }
        }
        StringBuilder path = new StringBuilder();
        parts.forEach(path::append);
        return path.charAt(0) == '.' ? path.substring(1) : path.toString();
    }

    private static Problems problems(DeserializationContext ctxt) {
        return (Problems) ctxt.getAttribute(Problems.class);
    }

    /** How a value found in the file is shown in a message. */
    static String describe(JsonParser p) throws IOException {
        JsonToken token = p.currentToken();
        if (token == null) {
            return "nothing";
        }
        return switch (token) {
            case START_OBJECT, FIELD_NAME -> "a mapping";
            case START_ARRAY -> "a list";
            case VALUE_STRING -> Checks.quote(p.getText());
            case VALUE_NULL -> "null";
            default -> p.getText();
        };
    }

    /** How an expected type is named in a message. */
    static String describe(JavaType type) {
        Class<?> raw = type.getRawClass();
        if (raw == Integer.class || raw == int.class || raw == Long.class || raw == long.class) {
            return "an integer";
        }
        if (raw == String.class) {
            return "a string";
        }
        if (raw == Duration.class) {
            return "a duration, " + Durations.EXPECTED;
        }
        if (raw == RawConfig.ByteSize.class) {
            return "a size, " + Sizes.EXPECTED;
        }
        if (type.isCollectionLikeType() || type.isArrayType()) {
            return "a list";
        }
        if (raw == Boolean.class || raw == boolean.class) {
            return "true or false";
        }
        return "a mapping";
    }

    /** Reads a scalar written as text (durations, sizes); a number is passed on as text too. */
    private static final class TextValueDeserializer<T> extends StdScalarDeserializer<T> {
        private static final long serialVersionUID = 1L;
        private final String what;
        private final transient Function<String, T> parser;
        private final transient Function<String, String> numberReason;

        TextValueDeserializer(Class<T> type, String what, Function<String, T> parser,
                              Function<String, String> numberReason) {
            super(type);
            this.what = what;
            this.parser = parser;
            this.numberReason = numberReason;
        }

        @Override
        public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonToken token = p.currentToken();
            String reason;
            if (token == JsonToken.VALUE_STRING
                    || (token == JsonToken.VALUE_NUMBER_INT && numberReason == null)) {
                try {
                    return parser.apply(p.getText());
                } catch (IllegalArgumentException e) {
                    reason = e.getMessage();
                }
            } else if (token != null && token.isNumeric() && numberReason != null) {
                reason = numberReason.apply(p.getText());
            } else {
                reason = describe(p) + " (expected: " + what + ")";
            }
            problems(ctxt).add(path(p), reason);
            p.skipChildren();
            return null;
        }
    }

    /**
     * Reads the file's integers into {@code Long}, leaving range checks to the validator. A
     * quoted integer ({@code "8080"}) is accepted; fractions, booleans and anything beyond
     * a {@code long} are recorded as problems.
     */
    private static final class IntegerDeserializer extends StdScalarDeserializer<Long> {
        private static final long serialVersionUID = 1L;

        IntegerDeserializer() {
            super(Long.class);
        }

        @Override
        public Long deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonToken token = p.currentToken();
            String text = token == JsonToken.VALUE_STRING || token == JsonToken.VALUE_NUMBER_INT
                    ? p.getText().strip() : null;
            if (text != null && text.matches("[-+]?\\d{1,18}")) {
                return Long.parseLong(text);
            }
            problems(ctxt).add(path(p), describe(p) + " (expected: an integer)");
            p.skipChildren();
            return null;
        }
    }

    /** Records unknown fields and wrong types instead of failing, so all are reported. */
    private static final class CollectingHandler extends DeserializationProblemHandler {

        @Override
        public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p,
                                             JsonDeserializer<?> deserializer, Object beanOrClass,
                                             String propertyName) throws IOException {
            String known = "";
            Collection<Object> names = deserializer == null ? null : deserializer.getKnownPropertyNames();
            if (names != null && !names.isEmpty()) {
                List<String> list = new ArrayList<>();
                names.forEach(n -> list.add(String.valueOf(n)));
                known = " (known fields: " + String.join(", ", order(beanOrClass, list)) + ")";
            }
            problems(ctxt).add(path(p), "unknown field" + known);
            p.skipChildren();
            return true;
        }

        @Override
        public Object handleUnexpectedToken(DeserializationContext ctxt, JavaType targetType, JsonToken t,
                                            JsonParser p, String failureMsg) throws IOException {
            problems(ctxt).add(path(p), describe(p) + " (expected: " + describe(targetType) + ")");
            p.skipChildren();
            return null;
        }

        @Override
        public Object handleWeirdStringValue(DeserializationContext ctxt, Class<?> targetType,
                                             String valueToConvert, String failureMsg) throws IOException {
            JsonParser p = ctxt.getParser();
            problems(ctxt).add(path(p), Checks.quote(valueToConvert)
                    + " (expected: " + describe(ctxt.constructType(targetType)) + ")");
            return null;
        }

        @Override
        public Object handleWeirdNumberValue(DeserializationContext ctxt, Class<?> targetType,
                                             Number valueToConvert, String failureMsg) throws IOException {
            JsonParser p = ctxt.getParser();
            problems(ctxt).add(path(p), valueToConvert
                    + " (expected: " + describe(ctxt.constructType(targetType)) + ")");
            return null;
        }

        @Override
        public Object handleMissingInstantiator(DeserializationContext ctxt, Class<?> instClass,
                                                ValueInstantiator valueInsts, JsonParser p, String msg)
                throws IOException {
            problems(ctxt).add(path(p), describe(p) + " (expected: " + describe(ctxt.constructType(instClass)) + ")");
            p.skipChildren();
            return null;
        }

        /** Known fields in declaration order (Jackson's order is not guaranteed). */
        private static List<String> order(Object beanOrClass, List<String> names) {
            Class<?> type = beanOrClass instanceof Class<?> c ? c : beanOrClass.getClass();
            List<String> ordered = new ArrayList<>();
            for (Field field : type.getDeclaredFields()) {
                if (names.contains(yamlKey(field))) {
                    ordered.add(yamlKey(field));
                }
            }
            names.stream().filter(n -> !ordered.contains(n)).forEach(ordered::add);
            return ordered;
        }
    }

    /** A raw field's YAML key: its name unless renamed with {@code @JsonProperty}. */
    static String yamlKey(Field field) {
        JsonProperty renamed = field.getAnnotation(JsonProperty.class);
        return renamed != null && !renamed.value().isEmpty() ? renamed.value() : field.getName();
    }
}
