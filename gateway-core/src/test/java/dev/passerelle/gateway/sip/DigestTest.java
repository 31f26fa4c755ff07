package dev.passerelle.gateway.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.passerelle.gateway.sip.Digest.Algorithm;
import dev.passerelle.gateway.sip.Digest.Answer;
import dev.passerelle.gateway.sip.Digest.Challenge;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The published examples, so that a wrong hash, field order or encoding shows. */
class DigestTest {

    /** RFC 7616 §3.9.1. */
    private static final String REALM = "http-auth@example.org";
    private static final String NONCE = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
    private static final String CNONCE = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
    private static final String OPAQUE = "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS";

    private static Answer rfc7616(Algorithm algorithm) {
        Challenge challenge = new Challenge(REALM, NONCE, OPAQUE, algorithm, List.of("auth", "auth-int"), false);
        return Digest.answer(challenge, "Mufasa", "Circle of Life", "GET", "/dir/index.html", CNONCE, 1);
    }

    @Test
    void md5AsInRfc7616() {
        Answer answer = rfc7616(Algorithm.MD5);
        assertEquals("8ca523f5e9506fed4657c9700eebdbec", answer.response());
        assertEquals("00000001", answer.nonceCount());
        assertEquals("auth", answer.qop());
        assertEquals(OPAQUE, answer.opaque());
    }

    @Test
    void sha256AsInRfc7616() {
        assertEquals("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
                rfc7616(Algorithm.SHA_256).response());
    }

    /** RFC 2617 §3.5, the example most SIP stacks were checked against. */
    @Test
    void md5AsInRfc2617() {
        Challenge challenge = new Challenge("testrealm@host.com", "dcd98b7102dd2f0e8b11d0f600bfb0c093",
                "5ccc069c403ebaf9f0171e9517f40e41", Algorithm.MD5, List.of("auth,auth-int".split(",")), false);
        Answer answer = Digest.answer(challenge, "Mufasa", "Circle Of Life", "GET", "/dir/index.html", "0a4f113b", 1);
        assertEquals("6629fae49393a05397450978507c4ef1", answer.response());
    }

    /**
     * RFC 2069 (no qop): response = H(H(A1):nonce:H(A2)), no nc and no cnonce.
     * printf '%s' 'Mufasa:testrealm@host.com:CircleOfLife' | md5sum → 4945ecf42b1bb868634058a845bedde8;
     * printf '%s' 'GET:/dir/index.html' | md5sum → 39aff3a2bab6126f332b942af96d3366;
     * printf '%s' '<both above, colon-separated around the nonce>' | md5sum → 1949323746fe6a43ef61f9606e7febea.
     */
    @Test
    void withoutQopAsInRfc2069() {
        Challenge challenge = new Challenge("testrealm@host.com", "dcd98b7102dd2f0e8b11d0f600bfb0c093", null,
                Algorithm.MD5, List.of(), false);
        Answer answer = Digest.answer(challenge, "Mufasa", "CircleOfLife", "GET", "/dir/index.html", "unused", 1);
        assertEquals("1949323746fe6a43ef61f9606e7febea", answer.response());
        assertNull(answer.qop());
        assertNull(answer.nonceCount());
    }

    @Test
    void nonceCountIsEightHexDigits() {
        Challenge challenge = new Challenge(REALM, NONCE, null, Algorithm.SHA_256, List.of("auth"), false);
        assertEquals("0000001f",
                Digest.answer(challenge, "u", "p", "INVITE", "sip:bob@example.com", "c", 31).nonceCount());
    }

    @Test
    void algorithmNames() {
        assertEquals(Optional.of(Algorithm.MD5), Algorithm.of(null));
        assertEquals(Optional.of(Algorithm.SHA_256), Algorithm.of("sha-256"));
        assertEquals(Optional.of(Algorithm.SHA_512_256), Algorithm.of("SHA-512-256"));
        assertEquals(Optional.empty(), Algorithm.of("MD5-sess"));
        assertEquals(Optional.empty(), Algorithm.of("AKAv1-MD5"));
    }

    @Test
    void onlyAuthIntIsNotAnswerable() {
        Challenge challenge = new Challenge(REALM, NONCE, null, Algorithm.MD5, List.of("auth-int"), false);
        assertFalse(challenge.answerable());
        assertThrows(IllegalArgumentException.class,
                () -> Digest.answer(challenge, "u", "p", "INVITE", "sip:x@y", "c", 1));
    }
}
