package io.wakegate.interceptor.forward;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.collection.IntObjectHashMap;
import java.util.function.IntConsumer;

/**
 * The active streams of a tunnelled h2c connection, from the frame headers passing each way (the
 * payloads are not decoded): a client HEADERS frame on a new stream opens it; END_STREAM from
 * both sides, or RST_STREAM from either, closes it. Server-pushed streams are not requests and
 * are not counted. Tells {@code onChange} the count whenever it changes.
 *
 * <p>One instance per tunnel, with one {@link #scanner} handler in each pipeline before its
 * {@link TunnelHandler}. Both connections share one event loop, which is the only thread that
 * touches it.
 */
final class H2cStreams {

    private static final int FRAME_HEADER = 9;
    private static final int DATA = 0x0;
    private static final int HEADERS = 0x1;
    private static final int RST_STREAM = 0x3;
    private static final int END_STREAM = 0x1;
    private static final int CLIENT_ENDED = 1;
    private static final int SERVER_ENDED = 2;

    private final IntObjectHashMap<int[]> open = new IntObjectHashMap<>();
    private final IntConsumer onChange;

    H2cStreams(IntConsumer onChange) {
        this.onChange = onChange;
    }

    int active() {
        return open.size();
    }

    /** A handler that watches the bytes read on its connection and passes them on untouched. */
    ChannelInboundHandlerAdapter scanner(boolean fromClient) {
        Direction direction = fromClient ? clientDirection : serverDirection;
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof ByteBuf buf) {
                    direction.scan(buf);
                }
                ctx.fireChannelRead(msg);
            }
        };
    }

    /** Scans bytes the client sent before the tunnel started, from just after the connection preface. */
    void scanClientBytes(ByteBuf afterPreface) {
        clientDirection.scan(afterPreface);
    }

    private final Direction clientDirection = new Direction(true);
    private final Direction serverDirection = new Direction(false);

    private void frame(boolean fromClient, int type, int flags, int streamId) {
        int before = open.size();
        int[] state = open.get(streamId);
        if (type == RST_STREAM) {
            open.remove(streamId);
        } else if (type == HEADERS || type == DATA) {
            if (state == null && fromClient && type == HEADERS && (streamId & 1) == 1) {
                state = new int[1];
                open.put(streamId, state);
            }
            if (state != null && (flags & END_STREAM) != 0) {
                state[0] |= fromClient ? CLIENT_ENDED : SERVER_ENDED;
                if (state[0] == (CLIENT_ENDED | SERVER_ENDED)) {
                    open.remove(streamId);
                }
            }
        }
        if (open.size() != before) {
            onChange.accept(open.size());
        }
    }

    /** Frame boundaries in one direction, across reads: a 9-byte header, then a payload to skip. */
    private final class Direction {
        private final boolean fromClient;
        private final byte[] header = new byte[FRAME_HEADER];
        private int headerBytes;
        private int skip;

        Direction(boolean fromClient) {
            this.fromClient = fromClient;
        }

        void scan(ByteBuf buf) {
            int i = buf.readerIndex();
            int end = buf.writerIndex();
            while (i < end) {
                if (skip > 0) {
                    int n = Math.min(skip, end - i);
                    skip -= n;
                    i += n;
                    continue;
                }
                int n = Math.min(FRAME_HEADER - headerBytes, end - i);
                buf.getBytes(i, header, headerBytes, n);
                headerBytes += n;
                i += n;
                if (headerBytes == FRAME_HEADER) {
                    headerBytes = 0;
                    skip = (header[0] & 0xff) << 16 | (header[1] & 0xff) << 8 | (header[2] & 0xff);
                    int streamId = ((header[5] & 0x7f) << 24) | (header[6] & 0xff) << 16 | (header[7] & 0xff) << 8
                            | (header[8] & 0xff);
                    frame(fromClient, header[3] & 0xff, header[4] & 0xff, streamId);
                }
            }
        }
    }
}
