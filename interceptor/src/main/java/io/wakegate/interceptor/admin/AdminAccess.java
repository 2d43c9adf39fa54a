package io.wakegate.interceptor.admin;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.NetUtil;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;

/**
 * Who may call the admin API's mutating endpoints (wake, sleep). Reads are open to whoever
 * reaches the listener.
 *
 * <ul>
 *   <li>A request whose {@code Origin} is present and is not this listener's own origin is
 *       refused: the status page's buttons work, another site's page cannot press them. On a
 *       loopback listener the origin must also name a loopback host, so a page that rebinds its
 *       own name to 127.0.0.1 is refused too.</li>
 *   <li>With a token configured, {@code Authorization: Bearer <token>} is required.</li>
 *   <li>Without one, only a loopback listener accepts mutating calls.</li>
 * </ul>
 *
 * <p>Immutable; called on the admin event loop.
 */
final class AdminAccess {

    /** A refused call: the HTTP status, a stable reason code and what to do about it. */
    record Refusal(int status, String reason, String message) {
    }

    private final boolean loopback;
    private final byte[] token;

    /**
     * @param loopback whether the listener is bound to a loopback address
     * @param token    the bearer token mutating calls need; null when none is configured
     */
    AdminAccess(boolean loopback, String token) {
        this.loopback = loopback;
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
    }

    /** Null when {@code request} may change state, else why not. */
    Refusal checkMutating(HttpRequest request) {
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        if (origin != null && !ownOrigin(origin, request.headers().get(HttpHeaderNames.HOST))) {
            return new Refusal(403, "cross-origin", "Origin " + origin
                    + " is not this admin listener's own; control calls from other sites are refused");
        }
        if (token == null) {
            return loopback ? null : new Refusal(403, "admin-token-required", "the admin listener is not on loopback"
                    + " and no admin token is configured; set server.adminTokenFile or WAKEGATE_ADMIN_TOKEN and send"
                    + " Authorization: Bearer <token>, or bind server.adminBindAddress to 127.0.0.1");
        }
        String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        String prefix = "bearer ";
        if (authorization == null || authorization.length() <= prefix.length()
                || !authorization.substring(0, prefix.length()).toLowerCase(Locale.ROOT).equals(prefix)) {
            return new Refusal(401, "unauthorized", "send the admin token as Authorization: Bearer <token>");
        }
        byte[] given = authorization.substring(prefix.length()).strip().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, token) ? null
                : new Refusal(401, "unauthorized", "the admin token does not match");
    }

    /** Whether {@code origin} is {@code http://} plus the Host the request was sent to (and loopback if we are). */
    private boolean ownOrigin(String origin, String host) {
        if (host == null || !origin.equalsIgnoreCase("http://" + host)) {
            return false;
        }
        if (!loopback) {
            return true; // the token guards a non-loopback listener
        }
        String name;
        try {
            name = URI.create(origin).getHost();
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (name == null) {
            return false;
        }
        name = name.toLowerCase(Locale.ROOT);
        return name.equals("localhost") || name.equals("[::1]")
                || (NetUtil.isValidIpV4Address(name) && name.startsWith("127."));
    }
}
