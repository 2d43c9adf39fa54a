package io.wakegate.interceptor.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A held request reads ahead a small fixed amount: socket reads are capped while a connection
 * waits for a head or its request is held, and grow again while it is forwarded.
 */
class HeldReadAheadTest {

    private final ClientTimeoutsHandler timeouts = new ClientTimeoutsHandler(TimeUnit.MINUTES.toNanos(1),
            TimeUnit.MINUTES.toNanos(1));

    private EmbeddedChannel channel() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setRecvByteBufAllocator(new AdaptiveRecvByteBufAllocator(64, 2048, 65536));
        ch.pipeline().addLast(timeouts);
        return ch;
    }

    /** A handle that has seen reads fill their buffers, so its own guess has grown. */
    private static RecvByteBufAllocator.Handle grown(EmbeddedChannel ch) {
        RecvByteBufAllocator.Handle handle = ch.config().getRecvByteBufAllocator().newHandle();
        for (int i = 0; i < 4; i++) {
            handle.reset(ch.config());
            handle.lastBytesRead(handle.guess());
            handle.readComplete();
        }
        return handle;
    }

    private static int allocated(RecvByteBufAllocator.Handle handle) {
        ByteBuf buf = handle.allocate(ByteBufAllocator.DEFAULT);
        try {
            return buf.capacity();
        } finally {
            buf.release();
        }
    }

    @Test
    void readsAreSmallUntilTheHeadAndWhileHeldAndLargeWhileForwarding() {
        EmbeddedChannel ch = channel();
        RecvByteBufAllocator.Handle handle = grown(ch);
        assertThat(allocated(handle)).as("waiting for a head").isLessThanOrEqualTo(SmallReads.MAX_BYTES);

        timeouts.requestStarted();
        assertThat(handle.guess()).as("forwarding").isGreaterThan(SmallReads.MAX_BYTES);

        timeouts.watchForClose(); // held
        assertThat(allocated(handle)).isLessThanOrEqualTo(SmallReads.MAX_BYTES);
        timeouts.stopWatching(); // admitted
        assertThat(handle.guess()).isGreaterThan(SmallReads.MAX_BYTES);

        timeouts.held(true); // an h2c connection held
        assertThat(allocated(handle)).isLessThanOrEqualTo(SmallReads.MAX_BYTES);
        timeouts.held(false);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void watchingAHeldRequestStopsAfterOneSmallRead() {
        int[] reads = new int[1];
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAutoRead(false); // as on client connections: every read is asked for
        ch.pipeline().addLast(new ChannelOutboundHandlerAdapter() {
            @Override
            public void read(ChannelHandlerContext ctx) {
                reads[0]++;
                ctx.read();
            }
        }, timeouts);
        timeouts.requestStarted();
        timeouts.watchForClose();
        assertThat(reads[0]).as("one read outstanding to notice a close").isEqualTo(1);

        ch.writeInbound(ch.alloc().buffer().writeZero(ClientTimeoutsHandler.HELD_READ_AHEAD_BYTES));
        assertThat(reads[0]).as("nothing more is read ahead while the request stays held").isEqualTo(1);
        ByteBuf read = ch.readInbound();
        read.release();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }
}
