package io.wakegate.interceptor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SizesTest {

    @Test
    void parsesBytesBinaryAndDecimalUnits() {
        assertThat(Sizes.parse("512")).isEqualTo(512);
        assertThat(Sizes.parse("512B")).isEqualTo(512);
        assertThat(Sizes.parse("8KiB")).isEqualTo(8 * 1024);
        assertThat(Sizes.parse("16KiB")).isEqualTo(16 * 1024);
        assertThat(Sizes.parse("64MiB")).isEqualTo(64L * 1024 * 1024);
        assertThat(Sizes.parse("1GiB")).isEqualTo(1L << 30);
        assertThat(Sizes.parse("2TiB")).isEqualTo(2L << 40);
        assertThat(Sizes.parse("10KB")).isEqualTo(10_000);
        assertThat(Sizes.parse("10MB")).isEqualTo(10_000_000);
        assertThat(Sizes.parse("1GB")).isEqualTo(1_000_000_000);
    }

    @ParameterizedTest
    @ValueSource(strings = {"8x", "", "1.5MiB", "KiB", "8kib", "8 KiB MiB"})
    void rejectsOtherSyntax(String text) {
        assertThatThrownBy(() -> Sizes.parse(text)).hasMessageStartingWith("'" + text + "' is not a size (expected: ");
    }

    @Test
    void rejectsNegativeAndOverflowingSizes() {
        assertThatThrownBy(() -> Sizes.parse("-1")).hasMessageStartingWith("'-1' is negative");
        assertThatThrownBy(() -> Sizes.parse("99999999999TiB")).hasMessageContaining("too large");
    }

    @Test
    void formatsInTheLargestExactBinaryUnit() {
        assertThat(Sizes.format(16384)).isEqualTo("16KiB");
        assertThat(Sizes.format(64L << 20)).isEqualTo("64MiB");
        assertThat(Sizes.format(1000)).isEqualTo("1000");
        assertThat(Sizes.format(0)).isEqualTo("0");
    }
}
