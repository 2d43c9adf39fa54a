package io.wakegate.scaler.keda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class TriggerMetadataTest {

    private static final Duration MAX = Duration.ofMinutes(10);

    @Test
    void onlyRouteIsRequiredAndTheRestHasDefaults() {
        TriggerMetadata md = TriggerMetadata.parse(
                Map.of("route", " ns/llama ", "scalerAddress", "scaler:9090"), MAX);
        assertThat(md.route()).isEqualTo("ns/llama");
        assertThat(md.metric()).isEqualTo(TriggerMetadata.Metric.CONCURRENCY);
        assertThat(md.targetValue()).isEqualTo(TriggerMetadata.DEFAULT_TARGET);
        assertThat(md.window()).isEqualTo(Duration.ofSeconds(60));
        assertThat(md.activationThreshold()).isZero();
        assertThat(md.metricName()).isEqualTo("wakegate-ns-llama-concurrency");
    }

    @Test
    void parsesEveryKey() {
        TriggerMetadata md = TriggerMetadata.parse(Map.of("route", "a/b", "metric", "requestRate",
                "targetValue", "2.5", "window", "1m30s", "activationThreshold", "0.5"), MAX);
        assertThat(md.metric()).isEqualTo(TriggerMetadata.Metric.REQUEST_RATE);
        assertThat(md.targetValue()).isEqualTo(2.5);
        assertThat(md.window()).isEqualTo(Duration.ofSeconds(90));
        assertThat(md.activationThreshold()).isEqualTo(0.5);
        assertThat(md.metricName()).isEqualTo("wakegate-a-b-request-rate");
    }

    @ParameterizedTest
    @CsvSource({"500ms,500", "30s,30000", "2m,120000", "1h,3600000", "1.5s,1500", "45,45000"})
    void parsesDurations(String text, long millis) {
        assertThat(TriggerMetadata.parseDurationOrNull(text)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @CsvSource({"30x", "s", "1m 30s", "-5s", "''"})
    void rejectsMalformedDurations(String text) {
        assertThat(TriggerMetadata.parseDurationOrNull(text)).isNull();
    }

    @ParameterizedTest
    @CsvSource({
            "route,''",
            "metric,latency",
            "targetValue,0",
            "targetValue,ten",
            "targetValue,NaN",
            "window,500ms",
            "window,11m",
            "window,soon",
            "activationThreshold,-1",
    })
    void badValueIsRejectedNamingItsKey(String key, String value) {
        Map<String, String> md = new HashMap<>(Map.of("route", "ns/x"));
        md.put(key, value);
        assertThatThrownBy(() -> TriggerMetadata.parse(md, MAX))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(key + ": ")
                .hasMessageContaining("expected");
    }

    @Test
    void missingRouteIsRejectedNamingIt() {
        assertThatThrownBy(() -> TriggerMetadata.parse(Map.of("metric", "concurrency"), MAX))
                .hasMessageStartingWith("route: missing");
    }
}
