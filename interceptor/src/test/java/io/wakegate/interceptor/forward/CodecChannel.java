package io.wakegate.interceptor.forward;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A codec on an embedded channel, for the codec tests: a peer's bytes in, the decoded messages out,
 * messages written out as the bytes they encode to. Everything decoded stays referenced until
 * {@link #close}, which releases it.
 */
final class CodecChannel implements AutoCloseable {

    final EmbeddedChannel channel;
    private final List<Object> decoded = new ArrayList<>();

    CodecChannel(ChannelHandler codec) {
        channel = new EmbeddedChannel(codec);
    }

    /** Feeds {@code bytes} (ISO-8859-1) in and returns the messages decoded from them. */
    List<Object> receive(String bytes) {
        channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
        List<Object> out = new ArrayList<>();
        Object msg;
        while ((msg = channel.readInbound()) != null) {
            out.add(msg);
            decoded.add(msg);
        }
        return out;
    }

    /** Writes {@code msg} out and returns the bytes it encoded to (ISO-8859-1). */
    String send(Object msg) {
        channel.writeOutbound(msg);
        StringBuilder out = new StringBuilder();
        ByteBuf b;
        while ((b = channel.readOutbound()) != null) {
            out.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return out.toString();
    }

    @Override
    public void close() {
        decoded.forEach(ReferenceCountUtil::release);
        channel.finishAndReleaseAll();
    }
}
