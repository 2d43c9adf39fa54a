package io.wakegate.interceptor.demand.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DemandReporterSettingsTest {

    @Test
    void parsesDnsTargetsAndHostLists() {
        assertThat(DemandReporterSettings.of("dns:///scaler-headless:9091").endpoints())
                .containsExactly(new DemandReporterSettings.Endpoint("scaler-headless", 9091));
        assertThat(DemandReporterSettings.of("a:1, b ,[::1]:3").endpoints()).containsExactly(
                new DemandReporterSettings.Endpoint("a", 1),
                new DemandReporterSettings.Endpoint("b", DemandReporterSettings.DEFAULT_PORT),
                new DemandReporterSettings.Endpoint("::1", 3));
    }

    @Test
    void defaultsAreDocumentedValues() {
        DemandReporterSettings s = DemandReporterSettings.of("scaler");
        assertThat(s.interval()).isEqualTo(Duration.ofMillis(250));
        assertThat(s.maxBackoff()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.resolveInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.interceptorId()).matches(".+-[0-9a-f]{8}");
        assertThat(DemandReporterSettings.of("scaler").interceptorId()).isNotEqualTo(s.interceptorId());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "dns://auth/host:1", "host:port", "host:0", "::1", "[::1"})
    void rejectsMalformedTargets(String target) {
        assertThatThrownBy(() -> DemandReporterSettings.of(target)).hasMessageStartingWith("target: ");
    }

    @Test
    void rejectsBackoffCapBelowItsStart() {
        assertThatThrownBy(() -> DemandReporterSettings.of("s")
                .withBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .hasMessageStartingWith("maxBackoff: ");
    }
}
