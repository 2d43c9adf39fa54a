package io.wakegate.interceptor.http;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Trailers that cost nothing until one is added. Netty's decoders give every body's last part a
 * trailer map of its own — a full header map, ~180 bytes — although a body of declared length can
 * have no trailers and a chunked one rarely has any. As the decoders' trailers factory
 * ({@link #FACTORY}; Wakegate's codecs install it with {@link #in}), this reads as empty and makes
 * the map (with Netty's validating default factory, so what a peer sends is checked as before) at
 * the first write.
 *
 * <p>Like any Netty header map, not thread-safe: it belongs to the message that holds it. Equal
 * only to itself (Netty's maps compare by content among their own kind).
 */
public final class OnDemandTrailers extends HttpHeaders {

    /** The trailers factory to give {@code HttpDecoderConfig.setTrailersFactory}. */
    public static final HttpHeadersFactory FACTORY = new HttpHeadersFactory() {
        @Override
        public HttpHeaders newHeaders() {
            return new OnDemandTrailers();
        }

        @Override
        public HttpHeaders newEmptyHeaders() {
            return new OnDemandTrailers();
        }
    };

    /** A copy of {@code config} whose decoder gives a body's end these trailers. */
    public static HttpDecoderConfig in(HttpDecoderConfig config) {
        return config.clone().setTrailersFactory(FACTORY);
    }

    private static final HttpHeadersFactory MADE_BY = DefaultHttpHeadersFactory.trailersFactory();

    /** The map, once something was added; until then the trailers read as empty. */
    private HttpHeaders headers;

    private OnDemandTrailers() {
    }

    private HttpHeaders read() {
        return headers != null ? headers : EmptyHttpHeaders.INSTANCE;
    }

    private HttpHeaders write() {
        HttpHeaders h = headers;
        if (h == null) {
            h = headers = MADE_BY.newHeaders();
        }
        return h;
    }

    // ---- reads ----

    @Override
    public String get(String name) {
        return read().get(name);
    }

    @Override
    public String get(CharSequence name) {
        return read().get(name);
    }

    @Override
    public Integer getInt(CharSequence name) {
        return read().getInt(name);
    }

    @Override
    public int getInt(CharSequence name, int defaultValue) {
        return read().getInt(name, defaultValue);
    }

    @Override
    public Short getShort(CharSequence name) {
        return read().getShort(name);
    }

    @Override
    public short getShort(CharSequence name, short defaultValue) {
        return read().getShort(name, defaultValue);
    }

    @Override
    public Long getTimeMillis(CharSequence name) {
        return read().getTimeMillis(name);
    }

    @Override
    public long getTimeMillis(CharSequence name, long defaultValue) {
        return read().getTimeMillis(name, defaultValue);
    }

    @Override
    public List<String> getAll(String name) {
        return read().getAll(name);
    }

    @Override
    public List<String> getAll(CharSequence name) {
        return read().getAll(name);
    }

    @Override
    public List<Map.Entry<String, String>> entries() {
        return read().entries();
    }

    @Override
    public boolean contains(String name) {
        return read().contains(name);
    }

    @Override
    public boolean contains(CharSequence name) {
        return read().contains(name);
    }

    @Override
    public boolean contains(String name, String value, boolean ignoreCase) {
        return read().contains(name, value, ignoreCase);
    }

    @Override
    public boolean contains(CharSequence name, CharSequence value, boolean ignoreCase) {
        return read().contains(name, value, ignoreCase);
    }

    @Override
    public boolean containsValue(CharSequence name, CharSequence value, boolean ignoreCase) {
        return read().containsValue(name, value, ignoreCase);
    }

    @Override
    public Iterator<Map.Entry<String, String>> iterator() {
        return read().iterator();
    }

    @Override
    public Iterator<Map.Entry<CharSequence, CharSequence>> iteratorCharSequence() {
        return read().iteratorCharSequence();
    }

    @Override
    public Iterator<String> valueStringIterator(CharSequence name) {
        return read().valueStringIterator(name);
    }

    @Override
    public Iterator<? extends CharSequence> valueCharSequenceIterator(CharSequence name) {
        return read().valueCharSequenceIterator(name);
    }

    @Override
    public boolean isEmpty() {
        return headers == null || headers.isEmpty();
    }

    @Override
    public int size() {
        return headers == null ? 0 : headers.size();
    }

    @Override
    public Set<String> names() {
        return read().names();
    }

    @Override
    public HttpHeaders copy() {
        return headers == null ? new OnDemandTrailers() : headers.copy();
    }

    // ---- writes ----

    @Override
    public HttpHeaders add(String name, Object value) {
        write().add(name, value);
        return this;
    }

    @Override
    public HttpHeaders add(CharSequence name, Object value) {
        write().add(name, value);
        return this;
    }

    @Override
    public HttpHeaders add(String name, Iterable<?> values) {
        write().add(name, values);
        return this;
    }

    @Override
    public HttpHeaders add(CharSequence name, Iterable<?> values) {
        write().add(name, values);
        return this;
    }

    @Override
    public HttpHeaders add(HttpHeaders other) {
        if (other == this) {
            throw new IllegalArgumentException("can't add to itself.");
        }
        if (!other.isEmpty()) {
            write().add(other);
        }
        return this;
    }

    @Override
    public HttpHeaders addInt(CharSequence name, int value) {
        write().addInt(name, value);
        return this;
    }

    @Override
    public HttpHeaders addShort(CharSequence name, short value) {
        write().addShort(name, value);
        return this;
    }

    @Override
    public HttpHeaders set(String name, Object value) {
        write().set(name, value);
        return this;
    }

    @Override
    public HttpHeaders set(CharSequence name, Object value) {
        write().set(name, value);
        return this;
    }

    @Override
    public HttpHeaders set(String name, Iterable<?> values) {
        write().set(name, values);
        return this;
    }

    @Override
    public HttpHeaders set(CharSequence name, Iterable<?> values) {
        write().set(name, values);
        return this;
    }

    @Override
    public HttpHeaders set(HttpHeaders other) {
        if (other == this) {
            return this;
        }
        if (other.isEmpty()) {
            return clear();
        }
        write().set(other);
        return this;
    }

    @Override
    public HttpHeaders setAll(HttpHeaders other) {
        if (!other.isEmpty()) {
            write().setAll(other);
        }
        return this;
    }

    @Override
    public HttpHeaders setInt(CharSequence name, int value) {
        write().setInt(name, value);
        return this;
    }

    @Override
    public HttpHeaders setShort(CharSequence name, short value) {
        write().setShort(name, value);
        return this;
    }

    @Override
    public HttpHeaders remove(String name) {
        if (headers != null) {
            headers.remove(name);
        }
        return this;
    }

    @Override
    public HttpHeaders remove(CharSequence name) {
        if (headers != null) {
            headers.remove(name);
        }
        return this;
    }

    @Override
    public HttpHeaders clear() {
        if (headers != null) {
            headers.clear();
        }
        return this;
    }
}
