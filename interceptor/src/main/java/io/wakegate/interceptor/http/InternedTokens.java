package io.wakegate.interceptor.http;

import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A fixed set of tokens — header names, start-line words — that a decoder hands out as shared
 * constants instead of copying them out of every message: the bytes of a token that is in the set
 * become no new object at all.
 *
 * <p>Matching is exact, byte for byte (so what is forwarded is spelled as it arrived, and a name
 * with a byte no token has is never taken for one): list each spelling peers use, e.g.
 * {@code Content-Type} and {@code content-type}. Immutable; safe to share between threads.
 */
public final class InternedTokens {

    /** Tokens by length; each bucket holds few, so a lookup is a length index and a short scan. */
    private final AsciiString[][] byLength;

    private InternedTokens(AsciiString[][] byLength) {
        this.byLength = byLength;
    }

    /** A set of the given tokens (duplicates are ignored). */
    public static InternedTokens of(List<? extends CharSequence> tokens) {
        int longest = 0;
        for (CharSequence t : tokens) {
            longest = Math.max(longest, t.length());
        }
        List<List<AsciiString>> buckets = new ArrayList<>();
        for (int i = 0; i <= longest; i++) {
            buckets.add(new ArrayList<>(2));
        }
        for (CharSequence t : tokens) {
            AsciiString token = t instanceof AsciiString a ? a : AsciiString.cached(t.toString());
            List<AsciiString> bucket = buckets.get(token.length());
            if (!bucket.contains(token)) {
                bucket.add(token);
            }
        }
        AsciiString[][] byLength = new AsciiString[longest + 1][];
        for (int i = 0; i <= longest; i++) {
            byLength[i] = buckets.get(i).toArray(new AsciiString[0]);
        }
        return new InternedTokens(byLength);
    }

    /**
     * Header names, each in its two usual spellings — as given (lower case) and with every word
     * capitalised ({@code content-type}, {@code Content-Type}) — plus the names peers spell
     * otherwise, as they spell them ({@code ETag}, {@code X-Request-ID}).
     */
    public static InternedTokens headerNames(List<String> spelledOtherwise, AsciiString... lowerCaseNames) {
        List<CharSequence> spellings = new ArrayList<>(lowerCaseNames.length * 2 + spelledOtherwise.size());
        for (AsciiString name : lowerCaseNames) {
            spellings.add(name);
            spellings.add(capitalised(name.toString()));
        }
        spellings.addAll(spelledOtherwise);
        return of(spellings);
    }

    /** The token equal to {@code length} bytes of {@code bytes} at {@code start}, or null. */
    public AsciiString find(byte[] bytes, int start, int length) {
        if (length >= byLength.length) {
            return null;
        }
        for (AsciiString token : byLength[length]) {
            if (Arrays.equals(token.array(), token.arrayOffset(), token.arrayOffset() + length,
                    bytes, start, start + length)) {
                return token;
            }
        }
        return null;
    }

    private static String capitalised(String name) {
        char[] c = name.toCharArray();
        boolean wordStart = true;
        for (int i = 0; i < c.length; i++) {
            if (wordStart) {
                c[i] = Character.toUpperCase(c[i]);
            }
            wordStart = c[i] == '-';
        }
        return new String(c);
    }
}
