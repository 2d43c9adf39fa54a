package io.wakegate.benchmarks.support;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * OpenAI chat-completion request bodies for the model-peek benchmarks, cut into the pieces the
 * interceptor reads them in while it looks for their {@code model}.
 */
public final class ChatBodies {

    /** The model every body names. */
    public static final String MODEL = "llama-3.1-8b-instruct";

    /** Bytes per socket read while a body is peeked (the interceptor's small-reads cap, 2 KiB). */
    public static final int READ = 2048;

    /** Messages at least this long precede the model in {@link Shape#MODEL_AFTER_16_KIB}. */
    private static final int LONG_MESSAGES = 16 * 1024;

    private static final String SYSTEM = "You are a helpful assistant for the support team. Answer briefly,"
            + " quote the document when you can, and say so when you do not know.";
    private static final String QUESTION = "Our nightly export job failed again with \\\"connection reset by"
            + " peer\\\" after about forty minutes. It reads from the replica and writes Parquet files to the"
            + " bucket. What should we check first, and is there a setting that makes it resume instead of"
            + " starting over?";
    private static final String ANSWER = "Check the replica's idle and statement timeouts first: a reset after"
            + " a steady forty minutes usually means a timeout on a proxy or load balancer between the job and"
            + " the replica.\\nThen look at the job's own retry settings: with checkpoints enabled it resumes from"
            + " the last completed file instead of starting over.\\nIf the resets continue, capture the"
            + " connection's keep-alive settings on both ends.";
    private static final String PARAMETERS = "\"temperature\":0.2,\"top_p\":0.95,\"max_tokens\":512,"
            + "\"stream\":true,\"stream_options\":{\"include_usage\":true}";

    /** Where the body names its model. */
    public enum Shape {
        /** About 600 bytes, {@code model} first. */
        MODEL_FIRST,
        /** The same body with {@code model} after {@code messages}, as the OpenAI SDKs write it. */
        MODEL_AFTER_MESSAGES,
        /** A long conversation: {@code model} after more than 16 KiB of {@code messages}. */
        MODEL_AFTER_16_KIB
    }

    private ChatBodies() {
    }

    /** The body of {@code shape}, UTF-8. */
    public static byte[] body(Shape shape) {
        String messages = switch (shape) {
            case MODEL_FIRST, MODEL_AFTER_MESSAGES -> message("system", SYSTEM) + "," + message("user", QUESTION);
            case MODEL_AFTER_16_KIB -> conversation();
        };
        String model = "\"model\":\"" + MODEL + "\"";
        String json = shape == Shape.MODEL_FIRST
                ? "{" + model + ",\"messages\":[" + messages + "]," + PARAMETERS + "}"
                : "{\"messages\":[" + messages + "]," + model + "," + PARAMETERS + "}";
        return json.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * {@code body} as consecutive direct buffers of at most {@link #READ} bytes, as pooled socket
     * reads would hold it. The pieces are only read from: rewind one to read it again.
     */
    public static ByteBuffer[] pieces(byte[] body) {
        ByteBuffer[] pieces = new ByteBuffer[(body.length + READ - 1) / READ];
        for (int i = 0; i < pieces.length; i++) {
            int length = Math.min(READ, body.length - i * READ);
            pieces[i] = ByteBuffer.allocateDirect(length).put(body, i * READ, length).flip();
        }
        return pieces;
    }

    private static String conversation() {
        StringBuilder messages = new StringBuilder(message("system", SYSTEM));
        while (messages.length() < LONG_MESSAGES) {
            messages.append(',').append(message("user", QUESTION)).append(',').append(message("assistant", ANSWER));
        }
        return messages.toString();
    }

    private static String message(String role, String content) {
        return "{\"role\":\"" + role + "\",\"content\":\"" + content + "\"}";
    }
}
