package io.wakegate.interceptor.openai;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.async.ByteBufferFeeder;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Reads a JSON request body only as far as its top-level {@code model} field — and, when asked,
 * its top-level {@code stream} flag — as the bytes arrive: Jackson's non-blocking parser, fed
 * buffer by buffer, never the whole body. Nested values are skipped by depth; nothing after the
 * fields looked for is parsed.
 *
 * <p>The model decides the {@link #outcome()}. A peek that also looks for {@code stream} and has
 * not seen it by then pauses at the model ({@link #paused()}), so routing a request costs no more
 * parsing than before: the caller then {@link #resume()}s it — parsing on until the flag is seen
 * or the object ends ({@link #settled()}) — or {@link #close()}s it when the flag does not matter.
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
    private final boolean wantsStream;
    private boolean streamNext;
    private Boolean stream;
    private boolean paused;
    private String model;
    private String error;
    private Outcome outcome = Outcome.NEED_MORE;
    private long bytesRead;

    /** A peek for the model only. */
    public ModelPeek() {
        this(false);
    }

    /** @param stream also look for the top-level {@code stream} flag (see {@link #stream()}) */
    public ModelPeek(boolean stream) {
        this.wantsStream = stream;
        try {
            parser = JSON.createNonBlockingByteBufferParser();
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a JSON parser", e);
        }
        feeder = (ByteBufferFeeder) parser.getNonBlockingInputFeeder();
    }

    /**
     * Parses {@code bytes} (its position onwards; the buffer is not kept past this call while the
     * peek is not {@link #settled()}). Once settled, further calls change nothing.
     */
    public Outcome feed(ByteBuffer bytes) {
        if (paused) {
            close(); // bytes the parser skipped would leave it lost: a paused peek fed on is over
        }
        if (parser == null || !bytes.hasRemaining()) {
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
        if (paused) {
            close();
        }
        if (parser == null) {
            return outcome;
        }
        feeder.endOfInput();
        Outcome parsed = parse();
        if (parsed == Outcome.NEED_MORE) {
            outcome = started ? Outcome.MALFORMED : Outcome.MISSING;
            error = started ? "the JSON object is not closed" : "the body is empty";
        }
        close();
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
                    modelNext = false;
                    if (token != JsonToken.VALUE_STRING || parser.getTextLength() == 0) {
                        return decide(Outcome.NOT_A_STRING, "\"model\" is " + (token == JsonToken.VALUE_STRING
                                ? "an empty string" : "a JSON " + kind(token)));
                    }
                    model = parser.getText();
                    outcome = Outcome.FOUND;
                    if (!lookingForStream()) {
                        return decide(Outcome.FOUND, null);
                    }
                    paused = true;
                    return outcome;
                }
                if (streamNext) {
                    streamNext = false;
                    stream = token == JsonToken.VALUE_TRUE; // anything but true does not stream
                    if (outcome != Outcome.NEED_MORE) {
                        return decide(outcome, error);
                    }
                }
                switch (token) {
                    case START_OBJECT, START_ARRAY -> depth++;
                    case END_OBJECT, END_ARRAY -> {
                        if (--depth == 0) {
                            return decide(outcome == Outcome.NEED_MORE ? Outcome.MISSING : outcome, error);
                        }
                    }
                    case FIELD_NAME -> {
                        if (depth == 1) {
                            String name = parser.currentName();
                            modelNext = outcome == Outcome.NEED_MORE && "model".equals(name);
                            streamNext = lookingForStream() && "stream".equals(name);
                        }
                    }
                    default -> { }
                }
            }
            return outcome;
        } catch (IOException e) {
            return malformed(e);
        }
    }

    /**
     * Parses on after a pause at the model, through the bytes already fed, looking for the
     * {@code stream} flag; further {@link #feed}s continue. Does nothing unless {@link #paused()}.
     */
    public Outcome resume() {
        if (!paused || parser == null) {
            return outcome;
        }
        paused = false;
        return parse();
    }

    /** Whether the peek stopped at the model, still looking for {@code stream}: {@link #resume()} or {@link #close()}. */
    public boolean paused() {
        return paused && parser != null;
    }

    private boolean lookingForStream() {
        return wantsStream && stream == null;
    }

    private Outcome decide(Outcome decided, String why) {
        outcome = decided;
        error = why;
        close(); // a held request keeps the outcome only
        return decided;
    }

    private Outcome malformed(IOException e) {
        if (outcome == Outcome.FOUND) {
            return decide(Outcome.FOUND, null); // past the model: what follows is the backend's to judge
        }
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

    /**
     * The top-level {@code stream} flag: TRUE or FALSE once seen (anything but {@code true} is
     * FALSE), null while not seen — or never looked for.
     */
    public Boolean stream() {
        return stream;
    }

    /** Whether nothing more will be parsed: the fields looked for are decided, or the peek was closed. */
    public boolean settled() {
        return parser == null;
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
        paused = false;
        JsonParser open = parser;
        parser = null;
        feeder = null;
        if (open != null) {
            bytesRead = open.currentLocation().getByteOffset();
            try {
                open.close();
            } catch (IOException e) {
                // nothing was opened that could fail to close
            }
        }
    }
}
