/**
 * Local-process backends: a model server started on the first request, held requests released
 * when its readiness probe passes, stopped when idle, restarted after a crash on the next
 * request. Members of an {@link io.wakegate.interceptor.backend.process.ExclusiveGroup} share one
 * GPU: one runs at a time, and a request for another member swaps them.
 *
 * <p>Children run in their own process group (through {@code setsid}) so a stop reaches the
 * whole tree; the {@link io.wakegate.interceptor.backend.process.ProcessReaper} kills what is
 * left if Wakegate itself dies, even by SIGKILL.
 *
 * <p>Start reading at {@link io.wakegate.interceptor.backend.process.ProcessEndpointSource}.
 */
package io.wakegate.interceptor.backend.process;
