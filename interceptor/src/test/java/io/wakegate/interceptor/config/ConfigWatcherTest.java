package io.wakegate.interceptor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigWatcherTest {

    private static final Duration POLL = Duration.ofMillis(20);

    @TempDir
    Path dir;
    private Path file;
    private final List<WakegateConfig> changes = new CopyOnWriteArrayList<>();
    private final List<ConfigException> invalid = new CopyOnWriteArrayList<>();
    private ConfigWatcher watcher;

    @BeforeEach
    void start() throws Exception {
        file = dir.resolve("wakegate.yaml");
        Files.writeString(file, config(8080));
        watcher = new ConfigWatcher(file, POLL, changes::add, invalid::add);
        watcher.start();
    }

    @AfterEach
    void stop() {
        watcher.close();
    }

    private static String config(int port) {
        return "server: {port: " + port + "}\n";
    }

    /** Replaces the file the way editors and ConfigMap updates do: write aside, rename over. */
    private void replace(String content) throws Exception {
        Path tmp = dir.resolve("wakegate.yaml.tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void aValidChangeIsReportedOnce() throws Exception {
        replace(config(8081));
        await().atMost(Duration.ofSeconds(5)).until(() -> !changes.isEmpty());
        assertThat(changes.get(0).server().port()).isEqualTo(8081);
        Thread.sleep(POLL.toMillis() * (ConfigWatcher.FULL_CHECK_EVERY + 3));
        assertThat(changes).hasSize(1);
        assertThat(invalid).isEmpty();
    }

    @Test
    void anInvalidChangeIsReportedAndTheNextValidOneApplied() throws Exception {
        replace("server: {port: 8081, prot: 1}\n");
        await().atMost(Duration.ofSeconds(5)).until(() -> !invalid.isEmpty());
        assertThat(invalid.get(0).problems()).containsExactly(
                file + ": server.prot: unknown field (known fields: bindAddress, port, adminBindAddress, adminPort,"
                        + " adminTokenFile, transport, ioThreads)");
        assertThat(changes).isEmpty();

        replace(config(8082));
        await().atMost(Duration.ofSeconds(5)).until(() -> !changes.isEmpty());
        assertThat(changes.get(0).server().port()).isEqualTo(8082);
        assertThat(invalid).hasSize(1);
    }

    @Test
    void aTouchWithoutContentChangeIsIgnored() throws Exception {
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(60)));
        Files.writeString(file, config(8080)); // same bytes, rewritten in place
        Thread.sleep(POLL.toMillis() * (ConfigWatcher.FULL_CHECK_EVERY + 3));
        assertThat(changes).isEmpty();
        assertThat(invalid).isEmpty();
    }

    @Test
    void aMissingFileIsReportedOnceAndItsReturnPickedUp() throws Exception {
        Files.delete(file);
        await().atMost(Duration.ofSeconds(5)).until(() -> !invalid.isEmpty());
        assertThat(invalid.get(0).problems()).containsExactly(file + ": cannot read the file: the file does not exist");
        replace(config(8083));
        await().atMost(Duration.ofSeconds(5)).until(() -> !changes.isEmpty());
        assertThat(changes.get(0).server().port()).isEqualTo(8083);
        assertThat(invalid).hasSize(1);
    }

    @Test
    void anEmptyFileIsReportedOnceAndNeverApplied() throws Exception {
        Files.writeString(file, "# being rewritten\n"); // in place: what a reader sees between truncate and write
        await().atMost(Duration.ofSeconds(5)).until(() -> !invalid.isEmpty());
        assertThat(invalid.get(0).problems()).containsExactly(file + ": cannot read the file: the file is empty"
                + " (expected: a configuration; to remove every route, write routes: [])");
        Files.writeString(file, config(8080)); // the old content back: nothing to apply
        replace("routes: []\n");
        await().atMost(Duration.ofSeconds(5)).until(() -> !changes.isEmpty());
        assertThat(changes).hasSize(1).first().satisfies(c -> assertThat(c.routes()).isEmpty());
        assertThat(invalid).hasSize(1);
    }

    @Test
    void aFailingCallbackDoesNotStopTheWatcher() throws Exception {
        watcher.close();
        AtomicReference<Thread> thread = new AtomicReference<>();
        List<Integer> ports = new CopyOnWriteArrayList<>();
        watcher = new ConfigWatcher(file, POLL, config -> {
            thread.set(Thread.currentThread());
            ports.add(config.server().port());
            throw new IllegalStateException("callback failed");
        }, invalid::add);
        watcher.start();
        replace(config(8084));
        await().atMost(Duration.ofSeconds(5)).until(() -> ports.contains(8084));
        replace(config(8085));
        await().atMost(Duration.ofSeconds(5)).until(() -> ports.contains(8085));
        assertThat(thread.get().getName()).isEqualTo("wakegate-config-watcher");
        assertThat(thread.get().isDaemon()).isTrue();
    }
}
