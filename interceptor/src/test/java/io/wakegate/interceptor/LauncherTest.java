package io.wakegate.interceptor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository's {@code wakegate} launcher, run for real in a copy of the checkout's layout
 * whose {@code mvnw} and {@code java} only record how they were called: which paths it passes, where
 * it runs, and when it rebuilds.
 */
class LauncherTest {

    private static final Instant NOW = Instant.now();

    @TempDir
    Path dir;
    private Path checkout;
    private Path caller;
    private Path jar;

    @BeforeEach
    void layout() throws IOException {
        checkout = Files.createDirectories(dir.resolve("checkout"));
        caller = Files.createDirectories(dir.resolve("elsewhere"));
        Files.copy(Path.of("..", "wakegate"), checkout.resolve("wakegate"));
        Files.setPosixFilePermissions(checkout.resolve("wakegate"), PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String source : List.of("pom.xml", "proto/pom.xml", "proto/src/main/proto/demand.proto",
                "interceptor/pom.xml", "interceptor/src/main/java/Wakegate.java")) {
            write(checkout.resolve(source), "source", NOW.minusSeconds(100));
        }
        jar = write(checkout.resolve("interceptor/target/wakegate.jar"), "jar", NOW.minusSeconds(50));
        // Build output of a test run in progress: newer than the jar, yet no reason to rebuild.
        write(checkout.resolve("proto/target/classes/Demand.class"), "class", NOW);
        write(checkout.resolve("interceptor/target/test-classes/SomeTest.class"), "class", NOW);
        script(checkout.resolve("mvnw"), "echo \"mvnw in $PWD: $*\" >> \"" + dir.resolve("built") + "\"");
        script(dir.resolve("bin/java"), "echo \"cwd=$PWD\"; echo \"args=$*\"");
        write(caller.resolve("my.yaml"), "routes: []\n", NOW);
    }

    private static Path write(Path file, String content, Instant modified) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        Files.setLastModifiedTime(file, FileTime.from(modified));
        return file;
    }

    private static void script(Path file, String body) throws IOException {
        write(file, "#!/bin/sh\n" + body + "\n", NOW);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Runs the launcher from {@code caller} with {@code args}; returns its stdout. */
    private String launch(String... args) throws Exception {
        return launchWith(null, args);
    }

    /** As {@link #launch(String...)}, with {@code WAKEGATE_JAVA_OPTS} set to {@code javaOpts} (null: unset). */
    private String launchWith(String javaOpts, String... args) throws Exception {
        return launchWith(null, javaOpts, args);
    }

    /** As {@link #launchWith(String, String...)}, with {@code JAVA_HOME} set to {@code javaHome} (null: unset). */
    private String launchWith(Path javaHome, String javaOpts, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(checkout.resolve("wakegate").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(caller.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("PATH", dir.resolve("bin") + ":/usr/bin:/bin");
        builder.environment().remove("WAKEGATE_JAVA_OPTS");
        builder.environment().remove("JAVA_HOME");
        if (javaHome != null) {
            builder.environment().put("JAVA_HOME", javaHome.toString());
        }
        if (javaOpts != null) {
            builder.environment().put("WAKEGATE_JAVA_OPTS", javaOpts);
        }
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private boolean built() {
        return Files.exists(dir.resolve("built"));
    }

    @Test
    void pathsOnTheCommandLineAreTheCallersAndJavaRunsWhereItWasCalled() throws Exception {
        String out = launch("--config", "my.yaml");
        assertThat(out.lines()).containsExactly("cwd=" + caller, "args=" + jvmOptions() + " -jar " + jar
                + " --config my.yaml");
    }

    /** The launcher's JVM flags: the argument file of the checkout it belongs to. */
    private String jvmOptions() {
        return "@" + checkout.resolve("interceptor/jvm.options");
    }

    @Test
    void itRunsJavaWithTheCheckoutsJvmFlagsAndWakegateJavaOptsAfterThemSoTheyCanOverride() throws Exception {
        String out = launchWith("-Xmx512m -Dx=1", "--config", "my.yaml");
        assertThat(out.lines()).contains("args=" + jvmOptions() + " -Xmx512m -Dx=1 -jar " + jar + " --config my.yaml");
        assertThat(Path.of("..", "interceptor", "jvm.options")).content().contains("-XX:+UseSerialGC", "-Xmx256m");
    }

    @Test
    void javaHomeChoosesTheJdkOverThePath() throws Exception {
        Path jdk25 = dir.resolve("jdk-25");
        script(jdk25.resolve("bin/java"), "echo \"jdk=$0\"; echo \"args=$*\"");
        String out = launchWith(jdk25, null, "--config", "my.yaml");
        assertThat(out.lines()).containsExactly("jdk=" + jdk25.resolve("bin/java"),
                "args=" + jvmOptions() + " -jar " + jar + " --config my.yaml");
    }

    @Test
    void aJdkFrom24OnGetsUnsafeMemoryAccessForNettyAndJdk17GetsNoFlagItWouldRefuse() throws Exception {
        Path jdk25 = dir.resolve("jdk-25");
        script(jdk25.resolve("bin/java"), "echo \"args=$*\"");
        write(jdk25.resolve("release"), "IMPLEMENTOR=\"Eclipse Adoptium\"\nJAVA_VERSION=\"25.0.1\"\n", NOW);
        assertThat(launchWith(jdk25, null, "--config", "my.yaml").lines()).containsExactly("args=" + jvmOptions()
                + " --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED"
                + " -XX:TrimNativeHeapInterval=5000 -jar " + jar
                + " --config my.yaml");

        Path jdk17 = dir.resolve("jdk-17");
        script(jdk17.resolve("bin/java"), "echo \"args=$*\"");
        write(jdk17.resolve("release"), "JAVA_VERSION=\"17.0.15\"\n", NOW);
        assertThat(launchWith(jdk17, null, "--config", "my.yaml").lines()).containsExactly("args=" + jvmOptions()
                + " -jar " + jar + " --config my.yaml");
    }

    @Test
    void withoutArgumentsItRunsTheBundledExampleByItsFullPath() throws Exception {
        String out = launch();
        assertThat(out.lines()).contains("args=" + jvmOptions() + " -jar " + jar + " --config "
                + checkout.resolve("examples/local.yaml"));
    }

    @Test
    void buildOutputNewerThanTheJarDoesNotRebuild() throws Exception {
        launch("--config", "my.yaml");
        assertThat(built()).as("mvnw was run").isFalse();
    }

    @Test
    void aChangedSourceRebuildsInTheCheckout() throws Exception {
        write(checkout.resolve("proto/src/main/proto/demand.proto"), "changed", NOW);
        launch("--config", "my.yaml");
        assertThat(dir.resolve("built")).content().startsWith("mvnw in " + checkout + ": ");
    }
}
