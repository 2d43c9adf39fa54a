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
import io.wakegate.interceptor.http.OnDemandTrailers;
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
    private final ModelPeek peek;
    private final CompositeByteBuf kept;
    private HttpHeaders trailers;
    /** The buffer a paused peek will read on from, retained until the peek resumed or ended; or null. */
    private ByteBuf pausedOn;
    /** The peek goes on past the model for the {@code stream} flag (see {@link #lookForStream()}). */
    private boolean streamWanted;
    private long reserved;
    private boolean complete;
    private boolean taken;
    private boolean released;

    /** @param stream also look for the body's {@code stream} flag (see {@link ModelPeek#stream()}) */
    ModelReadAhead(ByteBufAllocator alloc, ReadAheadBudget budget, int limit, boolean stream) {
        this.budget = budget;
        this.limit = limit;
        this.peek = new ModelPeek(stream);
        this.kept = alloc.compositeDirectBuffer(MAX_COMPONENTS);
    }

    /** Takes one body message (and its ownership); over the budget, the bytes are dropped. */
    Step add(HttpContent content) {
        return add(content, false);
    }

    /**
     * Takes one body message (and its ownership). With {@code keep} the bytes are kept even over
     * the budget — a request whose route is decided must not lose them — and the peek stops.
     */
    Step add(HttpContent content, boolean keep) {
        if (content.decoderResult().isFailure()) {
            content.release();
            return Step.UNDECODABLE;
        }
        ByteBuf bytes = content.content();
        int n = bytes.readableBytes();
        boolean overBudget = n > 0 && !budget.tryReserve(n);
        if (overBudget && !keep) {
            content.release();
            return Step.OVER_BUDGET;
        }
        if (overBudget) {
            budget.reserve(n); // one small read past the cap, at most, per request that overshoots
            stopPeeking();
        }
        reserved += n;
        if (streamWanted) {
            resume();
        }
        if (!peek.settled() && n > 0) {
            ByteBuffer[] views = bytes.nioBuffers();
            for (int i = 0; i < views.length; i++) {
                peek.feed(views[i]);
                if (peek.paused()) {
                    if (i < views.length - 1) {
                        peek.close(); // what follows in this message would go unparsed: the flag stays unknown
                    } else {
                        // The parser still reads the rest of this buffer when it resumes: keep the memory
                        // alive even if the composite consolidates (and frees) its components meanwhile.
                        pausedOn = bytes.retain();
                    }
                    break;
                }
                if (peek.settled()) {
                    break;
                }
            }
        }
        if (content instanceof LastHttpContent last) {
            complete = true;
            if (!last.trailingHeaders().isEmpty()) {
                trailers = last.trailingHeaders().copy();
            }
            if (!peek.paused()) {
                peek.end(); // a peek paused at the model ends when it resumes, or never
            }
        }
        if (n > 0) {
            kept.addComponent(true, bytes); // ownership moves to the composite
        } else {
            content.release();
        }
        if (overBudget) {
            return Step.OVER_BUDGET;
        }
        if (peek.outcome() != ModelPeek.Outcome.NEED_MORE) {
            return Step.DECIDED;
        }
        return kept.readableBytes() >= limit ? Step.TOO_FAR : Step.NEED_MORE;
    }

    /** Whether reading on would still tell something: the peek is open, within the limit, the body not over. */
    boolean peeking() {
        return !peek.settled() && !complete && kept.readableBytes() < limit;
    }

    /**
     * The request waits, and whether it streams matters: the peek parses on past the model (it
     * paused there) through what was read and what {@link #add} brings, until it finds the flag.
     */
    void lookForStream() {
        streamWanted = true;
        resume();
        if (complete) {
            peek.end();
        }
    }

    private void resume() {
        peek.resume(); // parses what it holds of pausedOn at once
        releasePausedOn();
    }

    private void releasePausedOn() {
        if (pausedOn != null) {
            pausedOn.release();
            pausedOn = null;
        }
    }

    /** The body's {@code stream} flag: TRUE or FALSE once seen, null while not (yet) known. */
    Boolean stream() {
        return peek.stream();
    }

    /** Ends the peek: what is read stays to be forwarded, nothing more is parsed. */
    void stopPeeking() {
        peek.close();
        releasePausedOn();
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
        stopPeeking();
        ByteBuf bytes = kept.isReadable() ? kept : releaseAndEmpty();
        if (!complete) {
            return new DefaultHttpContent(bytes);
        }
        DefaultLastHttpContent last = new DefaultLastHttpContent(bytes, OnDemandTrailers.FACTORY);
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
        stopPeeking();
    }
}
