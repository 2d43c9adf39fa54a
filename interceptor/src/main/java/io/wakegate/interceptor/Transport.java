package io.wakegate.interceptor;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.util.function.Supplier;

/**
 * The socket transport of the proxy's event loops and connections: Netty's native epoll or
 * io_uring on Linux (x86_64 and aarch64 libraries ship in the jar), NIO everywhere else.
 * {@code auto} takes io_uring when the kernel lets this process use it, else epoll, else NIO:
 * io_uring measured lowest in CPU per small request (docs/benchmarks.md, step 6), and container
 * runtimes commonly forbid it (Docker's and containerd's default seccomp profiles do), where
 * {@code auto} quietly becomes epoll.
 */
public enum Transport {
    EPOLL("epoll", EpollIoHandler::newFactory, EpollServerSocketChannel.class, EpollSocketChannel.class) {
        @Override
        Throwable unavailability() {
            return Epoll.unavailabilityCause();
        }
    },
    IO_URING("io_uring", IoUringIoHandler::newFactory, IoUringServerSocketChannel.class, IoUringSocketChannel.class) {
        @Override
        Throwable unavailability() {
            return IoUring.unavailabilityCause();
        }
    },
    NIO("nio", NioIoHandler::newFactory, NioServerSocketChannel.class, NioSocketChannel.class) {
        @Override
        Throwable unavailability() {
            return null;
        }
    };

    private final String configName;
    private final Supplier<IoHandlerFactory> handlers;
    private final Class<? extends ServerSocketChannel> serverChannel;
    private final Class<? extends SocketChannel> socketChannel;

    Transport(String configName, Supplier<IoHandlerFactory> handlers, Class<? extends ServerSocketChannel> serverChannel,
              Class<? extends SocketChannel> socketChannel) {
        this.configName = configName;
        this.handlers = handlers;
        this.serverChannel = serverChannel;
        this.socketChannel = socketChannel;
    }

    /** Why this transport cannot be used here; null when it can. */
    abstract Throwable unavailability();

    /**
     * The transport {@code configured} ({@code server.transport}) names. {@code auto} takes the
     * first of io_uring, epoll and NIO that works here; a native transport asked for by name that
     * cannot load is an error saying why.
     */
    public static Transport choose(String configured) {
        if ("auto".equals(configured)) {
            return IO_URING.unavailability() == null ? IO_URING : EPOLL.unavailability() == null ? EPOLL : NIO;
        }
        for (Transport t : values()) {
            if (t.configName.equals(configured)) {
                Throwable cause = t.unavailability();
                if (cause != null) {
                    throw new IllegalArgumentException("server.transport: " + configured + " is not available here: "
                            + cause.getMessage() + " (expected: auto, or a transport this system supports)");
                }
                return t;
            }
        }
        throw new IllegalArgumentException("server.transport: " + configured + " (expected: auto, epoll, io_uring or nio)");
    }

    public IoHandlerFactory newHandlerFactory() {
        return handlers.get();
    }

    public Class<? extends ServerSocketChannel> serverChannel() {
        return serverChannel;
    }

    public Class<? extends SocketChannel> socketChannel() {
        return socketChannel;
    }

    /** As {@code server.transport} names it. */
    @Override
    public String toString() {
        return configName;
    }
}
