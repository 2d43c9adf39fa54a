package io.wakegate.interceptor.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;
import java.util.function.BooleanSupplier;

/**
 * A receive allocator that caps each socket read at {@link #MAX_BYTES} while {@code small} says
 * so — while a connection waits for a request head or its request is held — and otherwise reads
 * as the allocator it wraps would. What a held request reads ahead stays queued, unsent, so its
 * size is what holding costs; forwarding reads large again.
 *
 * <p>The handle is used by the channel's event loop only; {@code small} is read there.
 */
final class SmallReads implements RecvByteBufAllocator {

    /** Bytes per socket read at most while reads are small. */
    static final int MAX_BYTES = 2048;

    private final RecvByteBufAllocator delegate;
    private final BooleanSupplier small;

    SmallReads(RecvByteBufAllocator delegate, BooleanSupplier small) {
        this.delegate = delegate;
        this.small = small;
    }

    @Override
    public Handle newHandle() {
        return new SmallHandle(delegate.newHandle(), small);
    }

    /**
     * An extended handle, as the native transports require (epoll and io_uring refuse a plain
     * one), delegating everything but the size of a read.
     */
    private static final class SmallHandle extends DelegatingHandle implements ExtendedHandle {
        private final BooleanSupplier small;

        SmallHandle(Handle delegate, BooleanSupplier small) {
            super(delegate);
            this.small = small;
        }

        @Override
        public ByteBuf allocate(ByteBufAllocator alloc) {
            return small.getAsBoolean() ? alloc.ioBuffer(guess()) : delegate().allocate(alloc);
        }

        @Override
        public int guess() {
            int guess = delegate().guess();
            return small.getAsBoolean() ? Math.min(MAX_BYTES, guess) : guess;
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
            return delegate() instanceof ExtendedHandle extended ? extended.continueReading(maybeMoreDataSupplier)
                    : delegate().continueReading();
        }
    }
}
