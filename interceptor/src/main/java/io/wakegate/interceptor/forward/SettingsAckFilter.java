package io.wakegate.interceptor.forward;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2CodecUtil;

/**
 * Drops the client's first SETTINGS acknowledgement from an h2c byte stream, then removes itself.
 *
 * <p>Wakegate answers the client's preface with its own empty SETTINGS at once (gRPC clients send
 * no request before they see the server's SETTINGS), so the backend must not see the client's ACK
 * of it: an ACK of settings it never sent is a protocol error for some servers. That ACK is the
 * client's first, since the backend's SETTINGS reach the client only after the tunnel starts.
 *
 * <p>Walks frame headers only (9 bytes: length, type, flags, stream) and passes every other byte
 * on untouched, as soon as it arrives; an incomplete frame header is held back until the rest
 * comes. Sits right after the {@code ClientTimeoutsHandler}, before {@link H2cConnection} and,
 * later, the client side's {@link TunnelHandler} (which re-reads after a cycle that produced
 * nothing). Confined to the connection's event loop.
 */
final class SettingsAckFilter extends ChannelInboundHandlerAdapter {

    private static final int FRAME_HEADER_LENGTH = 9;
    private static final byte SETTINGS = 0x4;
    private static final byte ACK = 0x1;

    /** Bytes of the current frame's payload still to pass; starts with the connection preface. */
    private long remaining = Http2CodecUtil.connectionPrefaceBuf().readableBytes();
    /** A frame header not yet complete, or null. */
    private ByteBuf header;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        CompositeByteBuf out = ctx.alloc().compositeBuffer();
        boolean dropped = false;
        try {
            while (buf.isReadable()) {
                if (remaining > 0) {
                    int n = (int) Math.min(remaining, buf.readableBytes());
                    out.addComponent(true, buf.readRetainedSlice(n));
                    remaining -= n;
                    continue;
                }
                if (header == null) {
                    header = ctx.alloc().buffer(FRAME_HEADER_LENGTH, FRAME_HEADER_LENGTH);
                }
                buf.readBytes(header, Math.min(header.writableBytes(), buf.readableBytes()));
                if (header.isWritable()) {
                    break; // the rest of the header comes with the next read
                }
                int length = header.getUnsignedMedium(0);
                if (header.getByte(3) == SETTINGS && (header.getByte(4) & ACK) != 0 && length == 0) {
                    header.release();
                    header = null;
                    dropped = true;
                    if (buf.isReadable()) {
                        out.addComponent(true, buf.readRetainedSlice(buf.readableBytes()));
                    }
                    break;
                }
                out.addComponent(true, header);
                header = null;
                remaining = length;
            }
        } finally {
            buf.release();
        }
        if (out.isReadable()) {
            ctx.fireChannelRead(out);
        } else {
            out.release();
        }
        if (dropped) {
            ctx.pipeline().remove(this);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (header != null) {
            header.release();
            header = null;
        }
    }
}
