package io.wakegate.interceptor.config;

/**
 * A request-header condition.
 *
 * @param name  header name (case-insensitive when matched)
 * @param value required value; {@code null} = the header only has to be present
 */
public record HeaderMatchConfig(String name, String value) {

    public HeaderMatchConfig {
        Checks.require("name", Checks.headerName(name));
    }
}
