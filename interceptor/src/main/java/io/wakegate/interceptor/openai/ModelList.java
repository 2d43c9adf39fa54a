package io.wakegate.interceptor.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wakegate.interceptor.routing.Route;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code GET /v1/models} and {@code GET /v1/models/{model}} answered from the route table, in
 * OpenAI's format — every model, awake or not, without waking any. Each model carries an extra
 * {@code wakegate} object with its {@code route} and {@code state} ({@code sleeping},
 * {@code waking}, {@code ready}, {@code failed}).
 */
public final class ModelList {

    /** The path OpenAI clients list models on. */
    public static final String PATH = "/v1/models";

    private static final ObjectMapper JSON = new ObjectMapper();
    /** OpenAI's {@code created} is required; the models here exist since this process started. */
    private static final long CREATED = Instant.now().getEpochSecond();

    private ModelList() {
    }

    /**
     * Whether {@code path} (without a leading {@code /openai}) asks for the model list or one
     * model: {@code /v1/models}, {@code /v1/models/}, {@code /v1/models/{model}}, any query.
     */
    public static boolean isModelsPath(String path) {
        String p = stripQuery(path);
        return p.equals(PATH) || p.startsWith(PATH + "/");
    }

    /** The model a {@code /v1/models/{model}} path names (decoded; may contain {@code /}); null for the list. */
    public static String modelOf(String path) {
        String p = stripQuery(path);
        if (p.length() <= PATH.length() + 1) {
            return null;
        }
        return java.net.URLDecoder.decode(p.substring(PATH.length() + 1).replace("+", "%2B"),
                java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String stripQuery(String path) {
        int q = path.indexOf('?');
        return q < 0 ? path : path.substring(0, q);
    }

    /** The list: every model in {@code models} (name to route), in order. */
    public static String list(Map<String, Route> models, Function<Route, String> states) {
        List<Map<String, Object>> data = new ArrayList<>(models.size());
        models.forEach((name, route) -> data.add(model(name, route, states)));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("object", "list");
        body.put("data", data);
        return write(body);
    }

    /** One model, as {@code GET /v1/models/{model}} returns it. */
    public static String one(String name, Route route, Function<Route, String> states) {
        return write(model(name, route, states));
    }

    private static Map<String, Object> model(String name, Route route, Function<Route, String> states) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("id", name);
        model.put("object", "model");
        model.put("created", CREATED);
        model.put("owned_by", "wakegate");
        model.put("wakegate", Map.of("route", route.name(), "state", states.apply(route)));
        return model;
    }

    /**
     * What a 404 for {@code model} says: the model, and the names that are served (at most 32,
     * then how many more), so a typo is easy to see.
     */
    public static String notFound(String model, Iterable<String> known) {
        String shownModel = model.length() > 256 ? model.substring(0, 256) + "..." : model;
        StringBuilder message = new StringBuilder("model \"").append(shownModel).append("\" is not served here; ");
        int count = 0;
        int shown = 0;
        StringBuilder names = new StringBuilder();
        for (String name : known) {
            count++;
            if (shown < 32) {
                names.append(shown++ == 0 ? "" : ", ").append(name);
            }
        }
        if (count == 0) {
            return message.append("no model is configured").toString();
        }
        message.append("known models: ").append(names);
        if (count > shown) {
            message.append(" and ").append(count - shown).append(" more");
        }
        return message.toString();
    }

    private static String write(Object body) {
        try {
            return JSON.writeValueAsString(body) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the model list", e);
        }
    }
}
