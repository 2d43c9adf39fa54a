package io.wakegate.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Grafana dashboard parses and queries only documented metrics. */
class DashboardTest {

    @Test
    void dashboardQueriesDocumentedMetrics() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(Repo.root().resolve("deploy/grafana/wakegate-dashboard.json").toFile());
        String docs = Files.readString(Repo.root().resolve("README.md")) + Files.readString(Repo.root().resolve("docs/scaler.md"))
                + Files.readString(Repo.root().resolve("docs/controller.md"));
        Set<String> metrics = new TreeSet<>();
        Matcher m = Pattern.compile("wakegate_[a-z_]+").matcher(dashboard.toString());
        while (m.find()) {
            metrics.add(m.group().replaceAll("_(bucket|sum|count)$", ""));
        }
        assertThat(metrics).hasSizeGreaterThan(10);
        for (String metric : metrics) {
            String shortForm = "..._" + metric.replace("wakegate_interceptor_", "");
            assertThat(docs.contains(metric) || docs.contains(shortForm)).as("documented metric: " + metric).isTrue();
        }
        assertThat(dashboard.path("panels").size()).isGreaterThan(10);
    }
}
