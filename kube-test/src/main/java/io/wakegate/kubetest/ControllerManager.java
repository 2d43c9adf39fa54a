package io.wakegate.kubetest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A kube-controller-manager process against the test API server, running the controllers a
 * test may rely on: the garbage collector (owner references, foreground deletion) and the
 * namespace controller. No scheduler and no kubelet: pods are never run. Its log goes to a file
 * in the system temp directory, named in failures.
 */
public final class ControllerManager implements AutoCloseable {

    /** The controllers it runs (kube-controller-manager's {@code --controllers} names). */
    public static final List<String> CONTROLLERS = List.of("garbage-collector-controller", "namespace-controller");

    private final Process process;
    private final Path log;

    ControllerManager(Path binary, Path kubeConfig) {
        try {
            log = Files.createTempFile("kube-controller-manager", ".log");
            process = new ProcessBuilder(binary.toString(),
                    "--kubeconfig", kubeConfig.toString(),
                    "--controllers", String.join(",", CONTROLLERS),
                    "--leader-elect=false",
                    "--secure-port=0",
                    "--concurrent-gc-syncs=5")
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where its output goes. */
    public Path log() {
        return log;
    }

    public boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
