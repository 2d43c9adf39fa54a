package io.wakegate.deploy;

import static io.wakegate.deploy.ChartTest.all;
import static io.wakegate.deploy.ChartTest.args;
import static io.wakegate.deploy.ChartTest.container;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes quick start read literally: README's commands, and the references values.yaml
 * makes to the docs, agree with what the build and the chart do.
 */
class QuickStartTest {

    private static final Pattern SH_BLOCK = Pattern.compile("```sh\n(.*?)```", Pattern.DOTALL);
    private static final Pattern ASSIGNMENT = Pattern.compile("([A-Z_]+)=(\\S*)");

    /** README's sh block that builds the images and installs the chart, as lines without comments. */
    private static List<String> quickStart() throws IOException {
        Matcher m = SH_BLOCK.matcher(Files.readString(Repo.root().resolve("README.md")));
        while (m.find()) {
            if (m.group(1).contains("deploy/images/build.sh") && m.group(1).contains("helm install")) {
                return m.group(1).lines().map(l -> l.replaceAll("\\s+#.*", "").strip()).filter(l -> !l.isEmpty())
                        .toList();
            }
        }
        throw new AssertionError("README.md has no sh block with deploy/images/build.sh and helm install");
    }

    private static String line(List<String> lines, String containing) {
        return lines.stream().filter(l -> l.contains(containing)).findFirst()
                .orElseThrow(() -> new AssertionError("no line with " + containing + " in " + lines));
    }

    /** The images build.sh makes, as it is called on {@code line} (environment assignments included). */
    private static List<String> builtImages(String line) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("bash", Repo.root().resolve("deploy/images/build.sh").toString(),
                "--list").directory(Repo.root().toFile()).redirectErrorStream(true);
        Matcher env = ASSIGNMENT.matcher(line.substring(0, line.indexOf("deploy/images/build.sh")));
        while (env.find()) {
            builder.environment().put(env.group(1), env.group(2));
        }
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out.lines().toList();
    }

    /** The {@code --set a.b=c} flags of a helm command as values YAML (flow style). */
    private static String setFlags(String helm) {
        Map<String, Object> values = new LinkedHashMap<>();
        String[] words = helm.split("\\s+");
        for (int i = 0; i < words.length - 1; i++) {
            if (words[i].equals("--set")) {
                String[] kv = words[i + 1].split("=", 2);
                Map<String, Object> node = values;
                String[] keys = kv[0].split("\\.");
                for (int k = 0; k < keys.length - 1; k++) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> child = (Map<String, Object>) node.computeIfAbsent(keys[k],
                            x -> new LinkedHashMap<String, Object>());
                    node = child;
                }
                node.put(keys[keys.length - 1], kv[1]);
            }
        }
        return values.isEmpty() ? null : Yaml.write(Yaml.MAPPER.valueToTree(values));
    }

    @Test
    void theImagesReadmeBuildsAreTheImagesItsHelmInstallRuns() throws Exception {
        List<String> lines = quickStart();
        List<String> built = builtImages(line(lines, "deploy/images/build.sh"));
        List<ObjectNode> installed = Chart.render(setFlags(line(lines, "helm install")));

        List<String> images = new ArrayList<>();
        for (ObjectNode deployment : all(installed, "Deployment")) {
            images.add(container(deployment).path("image").asText());
        }
        assertThat(images).hasSize(3).allSatisfy(image -> assertThat(built).as("images build.sh makes").contains(image));
    }

    @Test
    void extraArgsCommentsPointAtTheDocThatListsEveryFlagTheChartPasses() throws IOException {
        Map<String, String> docs = extraArgsDocs();
        assertThat(docs).containsOnlyKeys("scaler", "controller");
        List<ObjectNode> rendered = Chart.render("scaler: {tls: {enabled: true, clientCASecret: ca,"
                + " interceptorClientSecret: client}}");
        for (Map.Entry<String, String> e : docs.entrySet()) {
            String doc = Files.readString(Repo.root().resolve(e.getValue()));
            ObjectNode deployment = ChartTest.object(rendered, "Deployment", "wakegate-" + e.getKey());
            for (String arg : args(deployment)) {
                String name = arg.replaceAll("=.*", "").replaceFirst("^--(no-)?", "");
                assertThat(doc.contains("`--" + name) || doc.contains("`--[no-]" + name))
                        .as("%s (values.yaml %s.extraArgs) lists %s", e.getValue(), e.getKey(), arg).isTrue();
            }
        }
    }

    /** For each top-level section of values.yaml with {@code extraArgs}, the docs/*.md its comment names. */
    private static Map<String, String> extraArgsDocs() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(Repo.chart().resolve("values.yaml"));
        Pattern doc = Pattern.compile("(docs/[a-z-]+\\.md)");
        String section = null;
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.matches("[a-zA-Z]+:.*")) {
                section = l.substring(0, l.indexOf(':'));
            } else if (l.startsWith("  extraArgs:")) {
                Matcher m = doc.matcher(lines.get(i - 1));
                assertThat(m.find()).as("the comment above %s.extraArgs names a doc: %s", section, lines.get(i - 1))
                        .isTrue();
                out.put(section, m.group(1));
            }
        }
        return out;
    }
}
