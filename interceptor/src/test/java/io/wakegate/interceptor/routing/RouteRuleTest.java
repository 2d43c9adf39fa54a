package io.wakegate.interceptor.routing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RouteRuleTest {

    private static final String HOST_EXPECTED =
            " (expected: a host name, an IP address, '*.' followed by a host name, or '*')";

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            api.example.com:8080 | hosts[1]: api.example.com:8080
            a.*.example.com      | hosts[1]: a.*.example.com
            *example.com         | hosts[1]: *example.com
            **.example.com       | hosts[1]: **.example.com
            *.                   | hosts[1]: *.
            *.*.example.com      | hosts[1]: *.*.example.com
            a..example.com       | hosts[1]: a..example.com
            .example.com         | hosts[1]: .example.com
            ''                   | 'hosts[1]: '
            http://a.test        | hosts[1]: http://a.test
            a.test/x             | hosts[1]: a.test/x
            [::1]:80             | hosts[1]: [::1]:80
            """)
    void invalidHostPatternsAreRejected(String host, String message) {
        assertThatThrownBy(() -> new RouteRule(List.of("ok.test", host), List.of(), List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message + HOST_EXPECTED);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            api            | pathPrefixes[1]: api (expected: a path starting with '/')
            ''             | 'pathPrefixes[1]:  (expected: a path starting with ''/'')'
            /api//v1       | pathPrefixes[1]: /api//v1 (expected: a path prefix without empty segments)
            //             | pathPrefixes[1]: // (expected: a path prefix without empty segments)
            /api/*         | pathPrefixes[1]: /api/* (expected: a literal path prefix without '*', '?', '#', spaces or control characters)
            /api?x=1       | pathPrefixes[1]: /api?x=1 (expected: a literal path prefix without '*', '?', '#', spaces or control characters)
            /a b           | pathPrefixes[1]: /a b (expected: a literal path prefix without '*', '?', '#', spaces or control characters)
            """)
    void invalidPathPrefixesAreRejected(String prefix, String message) {
        assertThatThrownBy(() -> new RouteRule(List.of(), List.of("/", prefix), List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', textBlock = """
            ''      | 'name:  (expected: a non-blank header name)'
            '  '    | 'name:    (expected: a non-blank header name)'
            x y     | name: x y (expected: a header name made of RFC 9110 token characters)
            :path   | name: :path (expected: a header name made of RFC 9110 token characters)
            x-é     | name: x-é (expected: a header name made of RFC 9110 token characters)
            """)
    void invalidHeaderNamesAreRejected(String name, String message) {
        assertThatThrownBy(() -> HeaderCondition.present(name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @Test
    void nullsAreRejectedWithTheirPosition() {
        assertThatThrownBy(() -> new RouteRule(Arrays.asList("a.test", null), List.of(), List.of()))
                .hasMessage("hosts[1]: null" + HOST_EXPECTED);
        assertThatThrownBy(() -> new RouteRule(List.of(), Arrays.asList(null, "/"), List.of()))
                .hasMessage("pathPrefixes[0]: null (expected: a path starting with '/')");
        assertThatThrownBy(() -> new RouteRule(List.of(), List.of(), Arrays.asList((HeaderCondition) null)))
                .hasMessage("headers[0]: null (expected: a header condition)");
        assertThatThrownBy(() -> new HeaderCondition(null, "v"))
                .hasMessage("name: null (expected: a non-blank header name)");
        assertThatThrownBy(() -> HeaderCondition.equalTo("x-a", null))
                .hasMessage("value: null (expected: a header value)");
        assertThatThrownBy(() -> RouteMatcher.<String>builder().add(RouteRule.any(), null))
                .hasMessage("target: null (expected: a route target)");
        assertThatThrownBy(() -> RouteMatcher.<String>builder().add(null, "t"))
                .hasMessage("rule: null (expected: a route rule)");
    }

    @Test
    void headerValuesWithControlCharactersAreRejected() {
        assertThatThrownBy(() -> HeaderCondition.equalTo("x-a", "v\r\nx-injected: 1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("value: v\\r\\nx-injected: 1 (expected: a header value without control characters)");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(textBlock = """
            api.example.com
            API.Example.COM.
            *.example.com
            *.Example.com.
            *
            localhost
            my_host-1.svc
            10.0.0.1
            [::1]
            ::1
            [2001:db8::ffff:10.0.0.1]
            """)
    void validHostPatternsAreAccepted(String host) {
        assertThat(new RouteRule(List.of(host), List.of(), List.of()).hosts()).containsExactly(host);
    }

    @Test
    void listsAreCopiedAndNullListsReadAsEmpty() {
        List<String> hosts = new ArrayList<>(List.of("a.test"));
        List<String> prefixes = new ArrayList<>(List.of("/api/"));
        RouteRule rule = new RouteRule(hosts, prefixes, null);
        hosts.add("b.test");
        prefixes.clear();

        assertThat(rule.hosts()).containsExactly("a.test");
        assertThat(rule.pathPrefixes()).containsExactly("/api/");
        assertThat(rule.headers()).isEmpty();
        assertThatThrownBy(() -> rule.hosts().add("c.test")).isInstanceOf(UnsupportedOperationException.class);
        assertThat(new RouteRule(null, null, null)).isEqualTo(RouteRule.any());
        assertThat(RouteRule.any().anyHost()).isTrue();
        assertThat(RouteRule.hosts("a.test", "*").anyHost()).isTrue();
        assertThat(RouteRule.hosts("a.test").anyHost()).isFalse();
    }
}
