package io.wakegate.interceptor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @Test
    void parsesEveryUnit() {
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("10m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(Durations.parse("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(Durations.parse("0s")).isZero();
    }

    @Test
    void rejectsABareNumberAsHavingNoUnit() {
        assertThatThrownBy(() -> Durations.parse("10"))
                .hasMessage("10 has no unit (expected: a number with unit ms, s, m or h, e.g. 30s)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"10x", "", "1.5s", "s", "10 s", "1d", "PT10S"})
    void rejectsOtherSyntax(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .hasMessage("'" + text + "' is not a duration (expected: a number with unit ms, s, m or h, e.g. 30s)");
    }

    @Test
    void rejectsNegativeAndOverflowingDurations() {
        assertThatThrownBy(() -> Durations.parse("-5s")).hasMessageStartingWith("'-5s' is negative");
        assertThatThrownBy(() -> Durations.parse("99999999999999999999h")).hasMessageStartingWith("'99999999999999999999h' is too long");
        assertThatThrownBy(() -> Durations.parse("9999999999999999h")).hasMessageContaining("too long");
    }

    @Test
    void formatsInTheLargestExactUnit() {
        assertThat(Durations.format(Duration.ofSeconds(600))).isEqualTo("10m");
        assertThat(Durations.format(Duration.ofSeconds(7200))).isEqualTo("2h");
        assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
        assertThat(Durations.format(Duration.ofNanos(1500))).isEqualTo("PT0.0000015S");
    }

    @ParameterizedTest
    @ValueSource(strings = {"500ms", "30s", "10m", "2h", "90s", "1500ms"})
    void formatIsTheInverseOfParse(String text) {
        assertThat(Durations.format(Durations.parse(text))).isEqualTo(text);
    }
}
