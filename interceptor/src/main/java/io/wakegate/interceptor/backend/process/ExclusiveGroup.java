package io.wakegate.interceptor.backend.process;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/**
 * Routes that share one GPU: at most one member's process runs at a time. A member that wants
 * to start while another owns the group waits in arrival order; the owner is asked to yield,
 * which it does as soon as it has no request in flight.
 *
 * <p>Thread-safe. Members call in while holding their own lock (member → group); the group
 * calls members back only through the executor, never under its own lock, so the two locks
 * are always taken in that one order.
 */
final class ExclusiveGroup {

    /** What the group asks of its members. */
    interface Member {
        /** Another member waits: stop as soon as nothing is in flight. */
        void yieldRequested();

        /** The group is yours: start. */
        void granted();
    }

    private final String name;
    private final Executor executor;
    private final ArrayDeque<Member> waiting = new ArrayDeque<>();
    private Member owner;

    ExclusiveGroup(String name, Executor executor) {
        this.name = name;
        this.executor = executor;
    }

    String name() {
        return name;
    }

    /** True when {@code member} owns the group now; false when it has to wait for {@link Member#granted()}. */
    synchronized boolean acquire(Member member) {
        if (owner == null || owner == member) {
            owner = member;
            return true;
        }
        if (!waiting.contains(member)) {
            waiting.add(member);
        }
        Member current = owner;
        executor.execute(current::yieldRequested);
        return false;
    }

    /** {@code member} stopped (or gave up waiting): the next waiting member gets the group. */
    synchronized void release(Member member) {
        waiting.remove(member);
        if (owner != member) {
            return;
        }
        owner = waiting.poll();
        if (owner != null) {
            Member next = owner;
            executor.execute(next::granted);
        }
    }

    /** Whether another member waits for the group (the owner should not linger). */
    synchronized boolean contended() {
        return !waiting.isEmpty();
    }
}
