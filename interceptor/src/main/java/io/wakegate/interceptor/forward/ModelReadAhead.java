package io.wakegate.interceptor.forward;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.LastHttpContent;
import io.wakegate.interceptor.hold.ReadAheadBudget;
import io.wakegate.interceptor.openai.ModelPeek;
import java.nio.ByteBuffer;

/**
 * The start of one request body, read to find its {@code model} and kept to be forwarded first.
 * The bytes stay in the pooled direct buffers they were read into (one composite, no copy) and
 * are counted against the global {@link ReadAheadBudget} until {@link #release()}; at most
 * {@code limit} bytes are read looking for the model (plus the rest of the read that crossed it).
 *
 * <p>Confined to the client connection's event loop. {@link #release()} is called once whatever
 * happens — after the bytes were written to the backend, or instead of that.
 */
final class ModelReadAhead {

    /** What one more body message did. */
    enum Step {
        /** Read more. */
        NEED_MORE,
        /** The peek decided: see {@link #peek()}. */
        DECIDED,
        /** {@code limit} bytes read and no model yet. */
        TOO_FAR,
        /** The global budget has no room for these bytes (they were dropped). */
        OVER_BUDGET,
        /** The HTTP decoder failed on the body. */
        UNDECODABLE
    }

    /** A composite this wide consolidates rarely: reads are small (2 KiB) while a body is peeked. */
    private static final int MAX_COMPONENTS = 64;

    private final ReadAheadBudget budget;
    private final int limit;
    private final ModelPeek peek = new ModelPeek();
    private final CompositeByteBuf kept;
    private HttpHeaders trailers;
    private long reserved;
    private boolean complete;
    private boolean taken;
    private boolean released;

    ModelReadAhead(ByteBufAllocator alloc, ReadAheadBudget budget, int limit) {
        this.budget = budget;
        this.limit = limit;
        this.kept = alloc.compositeDirectBuffer(MAX_COMPONENTS);
    }

    /** Takes one body message (and its ownership). */
    Step add(HttpContent content) {
        if (content.decoderResult().isFailure()) {
            content.release();
            return Step.UNDECODABLE;
        }
        ByteBuf bytes = content.content();
        int n = bytes.readableBytes();
        if (n > 0 && !budget.tryReserve(n)) {
            content.release();
            return Step.OVER_BUDGET;
        }
        reserved += n;
        if (peek.outcome() == ModelPeek.Outcome.NEED_MORE && n > 0) {
            for (ByteBuffer nio : bytes.nioBuffers()) {
                if (peek.feed(nio) != ModelPeek.Outcome.NEED_MORE) {
                    break;
                }
            }
        }
        if (content instanceof LastHttpContent last) {
            complete = true;
            if (!last.trailingHeaders().isEmpty()) {
                trailers = last.trailingHeaders().copy();
            }
            peek.end();
        }
        if (n > 0) {
            kept.addComponent(true, bytes); // ownership moves to the composite
        } else {
            content.release();
        }
        if (peek.outcome() != ModelPeek.Outcome.NEED_MORE) {
            return Step.DECIDED;
        }
        return kept.readableBytes() >= limit ? Step.TOO_FAR : Step.NEED_MORE;
    }

    ModelPeek peek() {
        return peek;
    }

    /** Whether the whole body has been read. */
    boolean complete() {
        return complete;
    }

    int size() {
        return kept.readableBytes();
    }

    int limit() {
        return limit;
    }

    /**
     * The bytes read as one body message to forward (the last one when the body is complete);
     * the message owns them. The budget is held until {@link #release()}.
     */
    HttpContent take() {
        taken = true;
        ByteBuf bytes = kept.isReadable() ? kept : releaseAndEmpty();
        if (!complete) {
            return new DefaultHttpContent(bytes);
        }
        DefaultLastHttpContent last = new DefaultLastHttpContent(bytes);
        if (trailers != null) {
            last.trailingHeaders().set(trailers);
        }
        return last;
    }

    private ByteBuf releaseAndEmpty() {
        kept.release();
        return Unpooled.EMPTY_BUFFER;
    }

    /** Gives the budget back and frees the bytes unless {@link #take()} handed them on. Idempotent. */
    void release() {
        if (released) {
            return;
        }
        released = true;
        if (!taken) {
            kept.release();
        }
        budget.release(reserved);
        peek.close();
    }
}
