package io.wakegate.interceptor.openai;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteBufferFeeder;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Reads a JSON request body only as far as its top-level {@code model} field, as the bytes
 * arrive: Jackson's non-blocking parser, fed buffer by buffer, never the whole body. Nested
 * values are skipped by depth; what follows the model is not looked at.
 *
 * <p>One per request, confined to its event loop; {@link #close()} when done.
 */
public final class ModelPeek implements AutoCloseable {

    /** Where the peek stands after the bytes fed so far. */
    public enum Outcome {
        /** Feed more bytes (or {@link #end()}). */
        NEED_MORE,
        /** {@link #model()} is the model. */
        FOUND,
        /** The body is a JSON object without a top-level {@code model}. */
        MISSING,
        /** {@code model} is there but not a non-empty string. */
        NOT_A_STRING,
        /** The body is not a JSON object ({@link #error()} says where). */
        MALFORMED
    }

    /**
     * Field names are not canonicalized: they come from clients, and a symbol table shared across
     * requests is no place for them.
     */
    private static final JsonFactory JSON = JsonFactory.builder()
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            .build();

    /** Null once closed: a decided peek keeps only its outcome, not the parser and its buffers. */
    private JsonParser parser;
    private ByteBufferFeeder feeder;
    private int depth;
    private boolean started;
    private boolean modelNext;
    private String model;
    private String error;
    private Outcome outcome = Outcome.NEED_MORE;
    private long bytesRead;

    public ModelPeek() {
        try {
            parser = JSON.createNonBlockingByteBufferParser();
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a JSON parser", e);
        }
        feeder = (ByteBufferFeeder) parser.getNonBlockingInputFeeder();
    }

    /**
     * Parses {@code bytes} (its position onwards; the buffer is not kept past this call when
     * the outcome is {@link Outcome#NEED_MORE}). Once decided, further calls change nothing.
     */
    public Outcome feed(ByteBuffer bytes) {
        if (outcome != Outcome.NEED_MORE || !bytes.hasRemaining()) {
            return outcome;
        }
        try {
            feeder.feedInput(bytes);
        } catch (IOException e) {
            return malformed(e);
        }
        return parse();
    }

    /** The body ended: decides a peek still waiting for bytes. */
    public Outcome end() {
        if (outcome != Outcome.NEED_MORE) {
            return outcome;
        }
        feeder.endOfInput();
        Outcome parsed = parse();
        if (parsed == Outcome.NEED_MORE) {
            outcome = started ? Outcome.MALFORMED : Outcome.MISSING;
            error = started ? "the JSON object is not closed" : "the body is empty";
        }
        return outcome;
    }

    private Outcome parse() {
        try {
            JsonToken token;
            while ((token = parser.nextToken()) != JsonToken.NOT_AVAILABLE) {
                if (token == null) {
                    return decide(Outcome.MISSING, "the body is empty");
                }
                if (!started) {
                    if (token != JsonToken.START_OBJECT) {
                        return decide(Outcome.MALFORMED, "the body is a JSON " + kind(token) + ", not an object");
                    }
                    started = true;
                    depth = 1;
                    continue;
                }
                if (modelNext) {
                    if (token == JsonToken.VALUE_STRING && parser.getTextLength() > 0) {
                        model = parser.getText();
                        return decide(Outcome.FOUND, null);
                    }
                    return decide(Outcome.NOT_A_STRING, "\"model\" is " + (token == JsonToken.VALUE_STRING
                            ? "an empty string" : "a JSON " + kind(token)));
                }
                switch (token) {
                    case START_OBJECT, START_ARRAY -> depth++;
                    case END_OBJECT, END_ARRAY -> {
                        if (--depth == 0) {
                            return decide(Outcome.MISSING, null);
                        }
                    }
                    case FIELD_NAME -> modelNext = depth == 1 && "model".equals(parser.currentName());
                    default -> { }
                }
            }
            return Outcome.NEED_MORE;
        } catch (IOException e) {
            return malformed(e);
        }
    }

    private Outcome decide(Outcome decided, String why) {
        outcome = decided;
        error = why;
        bytesRead = bytesRead();
        close(); // a held request keeps the outcome only
        return decided;
    }

    private Outcome malformed(IOException e) {
        String message = e instanceof JsonProcessingException p ? p.getOriginalMessage() : e.getMessage();
        return decide(Outcome.MALFORMED, message);
    }

    private static String kind(JsonToken token) {
        return switch (token) {
            case START_ARRAY -> "array";
            case START_OBJECT -> "object";
            case VALUE_STRING -> "string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
            case VALUE_TRUE, VALUE_FALSE -> "boolean";
            case VALUE_NULL -> "null";
            default -> "value";
        };
    }

    public Outcome outcome() {
        return outcome;
    }

    /** The model named, once {@link Outcome#FOUND}. */
    public String model() {
        return model;
    }

    /** Why the body was refused, for {@link Outcome#MALFORMED} and {@link Outcome#NOT_A_STRING}; else null. */
    public String error() {
        return error;
    }

    /** Bytes parsed so far; once decided, how far the body was read to decide. */
    public long bytesRead() {
        return parser == null ? bytesRead : parser.currentLocation().getByteOffset();
    }

    /** Gives the parser's buffers back; idempotent. A decided peek has closed itself. */
    @Override
    public void close() {
        JsonParser open = parser;
        parser = null;
        feeder = null;
        if (open != null) {
            try {
                open.close();
            } catch (IOException e) {
                // nothing was opened that could fail to close
            }
        }
    }
}
