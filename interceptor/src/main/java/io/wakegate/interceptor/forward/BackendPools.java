package io.wakegate.interceptor.forward;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.wakegate.interceptor.backend.Endpoint;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Pooled HTTP/1.1 connections to backends: one pool per event loop, so a client connection and
 * its backend connection share a thread and an exchange needs no locks. Within a pool, idle
 * connections are kept per endpoint, most recently used first.
 *
 * <p>{@link #acquire} and {@link #release} must be called on {@code loop}.
 */
public final class BackendPools {

    /** Write-buffer water marks for backend connections; relay flow control rides on write completion. */
    public static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 128 * 1024);

    private final ForwardSettings settings;
    private final Class<? extends Channel> channelType;
    private final ConcurrentHashMap<EventLoop, LoopPool> pools = new ConcurrentHashMap<>();
    /** Read by each decoder when it is made (it keeps its own copy of the values), so one serves all. */
    private final HttpDecoderConfig decoderConfig;

    public BackendPools(ForwardSettings settings, Class<? extends Channel> channelType) {
        this.settings = settings;
        this.channelType = channelType;
        this.decoderConfig = new HttpDecoderConfig()
                .setMaxInitialLineLength(4096)
                .setMaxHeaderSize(settings.maxResponseHeaderSize())
                .setMaxChunkSize(64 * 1024);
    }

    /** A connection to {@code endpoint} on {@code loop}: an idle pooled one, or a new one. */
    ChannelFuture acquire(EventLoop loop, Endpoint endpoint) {
        return pool(loop).acquire(endpoint);
    }

    /** A new connection to {@code endpoint} on {@code loop}, never a pooled one. */
    ChannelFuture connect(EventLoop loop, Endpoint endpoint) {
        return pool(loop).connect(endpoint);
    }

    /**
     * A new connection to {@code endpoint} on {@code loop} with an empty pipeline, for a byte
     * tunnel (h2c prior knowledge); never pooled.
     */
    ChannelFuture connectRaw(EventLoop loop, Endpoint endpoint) {
        return pool(loop).connectRaw(endpoint);
    }

    /** Returns a connection whose exchange completed cleanly; closes it when it cannot be reused. */
    void release(Channel channel, Endpoint endpoint) {
        BackendHandler handler = BackendHandler.of(channel);
        if (handler == null) {
            channel.close(); // not a pooled HTTP connection any more
            return;
        }
        handler.pool().release(endpoint, channel, handler); // its own loop's pool: no map lookup
    }

    public ForwardSettings settings() {
        return settings;
    }

    /** Idle pooled connections across all loops; for tests and the admin endpoints. */
    public int idleConnections() {
        int n = 0;
        for (LoopPool p : pools.values()) {
            n += p.idleCount;
        }
        return n;
    }

    private LoopPool pool(EventLoop loop) {
        LoopPool pool = pools.get(loop); // a plain get first: LoopPool::new captures this, an allocation per call
        return pool != null ? pool : pools.computeIfAbsent(loop, LoopPool::new);
    }

    /** One event loop's pool. Confined to that loop. */
    final class LoopPool {
        private final Bootstrap bootstrap;
        private final Map<Endpoint, ArrayDeque<Channel>> idle = new HashMap<>();
        private volatile int idleCount;

        LoopPool(EventLoop loop) {
            bootstrap = new Bootstrap()
                    .group(loop)
                    .channel(channelType)
                    .option(ChannelOption.AUTO_READ, false)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.SO_KEEPALIVE, true)
                    .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                            (int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis()));
        }

        ChannelFuture acquire(Endpoint endpoint) {
            ArrayDeque<Channel> channels = idle.get(endpoint);
            if (channels != null) {
                Channel ch;
                while ((ch = channels.pollFirst()) != null) {
                    idleCount--;
                    if (ch.isActive()) {
                        return ch.newSucceededFuture();
                    }
                    ch.close();
                }
            }
            return connect(endpoint);
        }

        ChannelFuture connect(Endpoint endpoint) {
            return bootstrap.clone()
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline()
                                    .addLast("codec", new BackendCodec(decoderConfig))
                                    .addLast("flow", new MessagePerRead(true))
                                    .addLast("backend", new BackendHandler(LoopPool.this, endpoint,
                                            settings.backendIdleTimeout().toNanos()));
                        }
                    })
                    .connect(endpoint.address());
        }

        ChannelFuture connectRaw(Endpoint endpoint) {
            return bootstrap.clone()
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            // the tunnel handlers are added once connected
                        }
                    })
                    .connect(endpoint.address());
        }

        void release(Endpoint endpoint, Channel channel, BackendHandler handler) {
            ArrayDeque<Channel> channels = idle.get(endpoint);
            if (!channel.isActive()
                    || (channels != null && channels.size() >= settings.maxIdleConnectionsPerEndpoint())) {
                channel.close();
                return;
            }
            if (channels == null) {
                channels = new ArrayDeque<>();
                idle.put(endpoint, channels);
            }
            channels.addFirst(channel);
            idleCount++;
            handler.parked();
        }

        /** A pooled connection closed or timed out while idle. */
        void remove(Endpoint endpoint, Channel channel) {
            ArrayDeque<Channel> channels = idle.get(endpoint);
            if (channels != null && channels.remove(channel)) {
                idleCount--;
                if (channels.isEmpty()) {
                    idle.remove(endpoint);
                }
            }
        }
    }
}
