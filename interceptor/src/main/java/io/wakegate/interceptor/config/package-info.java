/**
 * The interceptor's configuration: one YAML file parsed into immutable records, validated
 * as a whole at start-up and on every reload. Start reading at {@link
 * io.wakegate.interceptor.config.ConfigLoader}; {@link io.wakegate.interceptor.config.WakegateConfig}
 * is the root of the record tree, {@link io.wakegate.interceptor.config.ConfigWatcher}
 * re-reads the file when it changes. Every error names the file, the field path and the
 * reason ({@code wakegate.yaml: routes[1].hold.coldStartTimeout: '10x' is not a duration
 * (expected: ...)}); all problems of a file are reported together. {@code docs/configuration.md}
 * is the reference for every field.
 */
package io.wakegate.interceptor.config;
