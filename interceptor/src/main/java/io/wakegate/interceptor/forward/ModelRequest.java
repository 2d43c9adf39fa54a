package io.wakegate.interceptor.forward;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.ScheduledFuture;
import io.wakegate.interceptor.http.ErrorResponses;
import io.wakegate.interceptor.http.Reason;
import io.wakegate.interceptor.openai.ModelList;
import io.wakegate.interceptor.openai.ModelPeek;
import io.wakegate.interceptor.routing.Route;
import io.wakegate.interceptor.routing.RouteTable;
import java.util.concurrent.TimeUnit;

/**
 * A request to an address that routes by model, before it has a route: answers
 * {@code GET /v1/models} from the table, or reads the JSON body as far as its {@code model}
 * field ({@link ModelReadAhead}), then hands the request with what was read to an
 * {@link Exchange} on the model's route — or answers why not (unknown model 404, no or malformed
 * model 400, too far 413, read-ahead budget full 503, too slow 408).
 *
 * <p>A body that is not JSON, and a request without a body, name no model: they go to the route
 * on the address that has no models, if there is one. Confined to the client's event loop.
 */
final class ModelRequest {

    private final ProxyHandler connection;
    private final ChannelHandlerContext ctx;
    private final ProxyContext shared;
    private final ProxyHandler.Head head;
    private ModelReadAhead readAhead;
    private ScheduledFuture<?> timer;
    private boolean done;

    ModelRequest(ProxyHandler connection, ChannelHandlerContext ctx, ProxyContext shared, ProxyHandler.Head head) {
        this.connection = connection;
        this.ctx = ctx;
        this.shared = shared;
        this.head = head;
    }

    void start() {
        HttpRequest request = head.request();
        if (request.method().equals(HttpMethod.GET) && ModelList.isModelsPath(head.path())) {
            listModels();
            return;
        }
        if (head.bodyless() || !mayBeJson(request) || request.headers().contains(HttpHeaderNames.CONTENT_ENCODING)) {
            decide(null);
            return;
        }
        connection.answerExpectContinue(request); // the body is needed before any backend is chosen
        // The peek pauses at the model; a request held on a route with stream keep-alives reads on
        // for its "stream" flag (Exchange), any other gives the parser back.
        readAhead = new ModelReadAhead(ctx.alloc(), shared.readAhead(), shared.settings().modelReadAhead(), true);
        timer = ctx.executor().schedule(() -> {
            timer = null;
            fail(Reason.MODEL_READ_TIMEOUT, null, 0);
        }, shared.settings().modelReadTimeout().toNanos(), TimeUnit.NANOSECONDS);
        connection.smallReads(true); // what a held request keeps is what was read: read it in small steps
        connection.requestRead();
    }

    /** One message of the body. */
    void onContent(HttpContent content) {
        if (done) {
            content.release();
            return;
        }
        switch (readAhead.add(content)) {
            case NEED_MORE -> connection.requestRead();
            case DECIDED -> decided(readAhead.peek());
            case TOO_FAR -> fail(Reason.MODEL_BEYOND_READ_AHEAD, "the \"model\" field is not within the first "
                    + readAhead.limit() + " bytes of the request body (limits.modelReadAhead): put it first,"
                    + " or raise the limit", 0);
            case OVER_BUDGET -> fail(Reason.READ_AHEAD_FULL, null, 1);
            case UNDECODABLE -> fail(Reason.BAD_REQUEST, null, 0);
        }
    }

    private void decided(ModelPeek peek) {
        switch (peek.outcome()) {
            case FOUND -> decide(peek.model());
            case MISSING -> decide(null);
            case NOT_A_STRING -> fail(Reason.MODEL_INVALID, Reason.MODEL_INVALID.message() + ": " + peek.error(), 0);
            case MALFORMED -> fail(Reason.MALFORMED_JSON, Reason.MALFORMED_JSON.message() + ": " + peek.error(), 0);
            case NEED_MORE -> throw new IllegalStateException("undecided peek");
        }
    }

    /** Routes the request by {@code model} (null: it names none) on the current table. */
    private void decide(String model) {
        RouteTable table = shared.routes().get();
        Route route = table.match(head.host(), head.path(), head.request().headers(), model);
        if (route == null) {
            if (model == null) {
                fail(Reason.MODEL_MISSING, null, 0);
            } else {
                fail(Reason.MODEL_NOT_FOUND, ModelList.notFound(model, table.models().keySet()), 0);
            }
            return;
        }
        finish();
        connection.forward(route, head, readAhead);
    }

    private void listModels() {
        RouteTable table = shared.routes().get();
        String model = ModelList.modelOf(head.path());
        String json;
        if (model == null) {
            json = ModelList.list(table.models(), shared.states());
        } else {
            Route route = table.models().get(model);
            if (route == null) {
                fail(Reason.MODEL_NOT_FOUND, ModelList.notFound(model, table.models().keySet()), 0);
                return;
            }
            json = ModelList.one(model, route, shared.states());
        }
        finish();
        connection.answer(ErrorResponses.json(ctx.alloc(), HttpResponseStatus.OK, json, false), head.keepAlive());
    }

    /** Answers with an error; the connection stays open only when the whole request was read. */
    private void fail(Reason reason, String detail, long retryAfterSeconds) {
        if (done) {
            return;
        }
        boolean wholeRequestRead = readAhead == null ? head.bodyless() : readAhead.complete();
        finish();
        if (readAhead != null) {
            readAhead.release();
        }
        shared.metrics().rejectedUnrouted(reason);
        connection.sendError(reason, detail, null, head.keepAlive() && wholeRequestRead, retryAfterSeconds, false);
    }

    private void finish() {
        done = true;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        connection.smallReads(false);
    }

    /** The client left while the body was being read. */
    void clientClosed() {
        if (!done) {
            finish();
            if (readAhead != null) {
                readAhead.release();
            }
        }
    }

    /**
     * Whether the body may be JSON: typed JSON ({@code application/json}, {@code +json}), or
     * untyped, {@code text/plain} or form-encoded, which is what {@code curl -d} sends with a JSON
     * body and what model servers accept. Multipart and other types name no model here.
     */
    static boolean mayBeJson(HttpRequest request) {
        String type = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (type == null) {
            return true;
        }
        int semicolon = type.indexOf(';');
        String mime = (semicolon < 0 ? type : type.substring(0, semicolon)).trim().toLowerCase(java.util.Locale.ROOT);
        return mime.equals("application/json") || mime.endsWith("+json") || mime.equals("text/plain")
                || mime.equals("application/x-www-form-urlencoded") || mime.isEmpty();
    }
}
