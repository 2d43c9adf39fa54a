package io.wakegate.interceptor.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link MessagePerRead} on a channel with auto-read off: one message per {@code read()}, the
 * contract the proxy's handlers rely on, and what happens to held messages at a close.
 */
class MessagePerReadTest {

    /** Counts the reads that get past the handler to the channel (a socket read in production). */
    private final ReadCounter socketReads = new ReadCounter();
    private final Recorder recorder = new Recorder();
    private final List<ByteBuf> sent = new ArrayList<>();
    private EmbeddedChannel channel;

    private void open(boolean deliverOnClose) {
        channel = new EmbeddedChannel();
        channel.config().setAutoRead(false);
        channel.pipeline().addLast(socketReads, new MessagePerRead(deliverOnClose), recorder);
    }

    @AfterEach
    void releaseAll() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
        for (ByteBuf b : sent) {
            if (b.refCnt() > 0) {
                b.release(b.refCnt());
            }
        }
    }

    private ByteBuf msg(String text) {
        ByteBuf b = Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
        sent.add(b);
        return b;
    }

    /** One read cycle from the socket that decoded to {@code messages}. */
    private void cycle(String... messages) {
        for (String m : messages) {
            channel.pipeline().fireChannelRead(msg(m));
        }
        channel.pipeline().fireChannelReadComplete();
    }

    @Test
    void aMessageAskedForPassesAtOnceFollowedByReadComplete() {
        open(false);
        recorder.read();
        assertThat(socketReads.count).isEqualTo(1);

        cycle("a");

        assertThat(recorder.events).containsExactly("a", "complete");
    }

    @Test
    void messagesNobodyAskedForWaitAndEachReadTakesOneWithoutTouchingTheSocket() {
        open(false);
        recorder.read();
        cycle("a", "b", "c");
        assertThat(recorder.events).containsExactly("a", "complete");

        recorder.read();
        assertThat(recorder.events).containsExactly("a", "complete", "b", "complete");
        recorder.read();
        assertThat(recorder.events).containsExactly("a", "complete", "b", "complete", "c", "complete");
        assertThat(socketReads.count).as("held messages answer reads; the socket is not read").isEqualTo(1);

        recorder.read(); // nothing held: now the socket
        assertThat(socketReads.count).isEqualTo(2);
    }

    @Test
    void aReadCycleThatDecodedNothingReadsTheSocketAgainForTheSameRead() {
        open(false);
        recorder.read();
        cycle(); // bytes that decoded to no message (half a head)
        assertThat(recorder.events).containsExactly("complete");
        assertThat(socketReads.count).as("read on, without being asked again").isEqualTo(2);

        cycle("a"); // the rest of the head: it answers the same read
        assertThat(recorder.events).containsExactly("complete", "a", "complete");
    }

    @Test
    void readsAskedForAgainBeforeAMessageCameAreOneRead() {
        // A parked backend connection keeps a read pending; the next exchange asks again.
        open(true);
        recorder.read();
        recorder.read();

        cycle("head", "end");

        assertThat(recorder.events).as("the end waits to be asked for").containsExactly("head", "complete");
        recorder.read();
        assertThat(recorder.events).containsExactly("head", "complete", "end", "complete");
    }

    @Test
    void whatAnIdleConnectionReceivesReachesItsHandlerAcrossReadCycles() {
        open(true);
        recorder.read(); // parked: watch for a close
        cycle();         // a cycle that brought nothing decodable
        cycle("late bytes");

        assertThat(recorder.events).containsExactly("complete", "late bytes", "complete");
    }

    @Test
    void aReadAskedForWhileAMessageIsHandedOnIsAnsweredAfterItInOrder() {
        open(false);
        recorder.readAgainOnEachMessage = true;
        recorder.read();

        cycle("a", "b", "c");

        assertThat(recorder.events).containsExactly("a", "b", "c");
        assertThat(recorder.maxDepth).as("no message is handed on inside another's channelRead").isEqualTo(1);
    }

    @Test
    void onABackendConnectionWhatIsHeldReachesTheHandlerBeforeTheClose() {
        open(true);
        recorder.read();
        cycle("head", "body-end"); // the end of a close-delimited body, decoded as the connection closes

        channel.pipeline().fireChannelInactive();

        assertThat(recorder.events).containsExactly("head", "complete", "body-end", "inactive");
    }

    @Test
    void onAClientConnectionWhatIsHeldIsReleasedAtTheClose() {
        open(false);
        recorder.read();
        cycle("request", "next-request");
        ByteBuf held = sent.get(1);

        channel.pipeline().fireChannelInactive();

        assertThat(recorder.events).containsExactly("request", "complete", "inactive");
        assertThat(held.refCnt()).as("released, not leaked").isZero();
    }

    @Test
    void removingTheHandlerHandsOnWhatItHolds() {
        open(false);
        cycle("preface-bytes");
        assertThat(recorder.events).isEmpty();

        channel.pipeline().remove(MessagePerRead.class);

        assertThat(recorder.events).containsExactly("preface-bytes");
    }

    private static final class ReadCounter extends ChannelOutboundHandlerAdapter {
        int count;

        @Override
        public void read(ChannelHandlerContext ctx) {
            count++;
            ctx.read();
        }
    }

    private static final class Recorder extends ChannelInboundHandlerAdapter {
        final List<String> events = new ArrayList<>();
        boolean readAgainOnEachMessage;
        int depth;
        int maxDepth;
        private ChannelHandlerContext ctx;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        void read() {
            ctx.read();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            depth++;
            maxDepth = Math.max(maxDepth, depth);
            ByteBuf b = (ByteBuf) msg;
            events.add(b.toString(StandardCharsets.US_ASCII));
            b.release();
            if (readAgainOnEachMessage) {
                ctx.read();
            }
            depth--;
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (!readAgainOnEachMessage) {
                events.add("complete");
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            events.add("inactive");
        }
    }
}
