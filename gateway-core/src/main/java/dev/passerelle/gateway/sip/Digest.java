package dev.passerelle.gateway.sip;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * HTTP Digest as SIP uses it (RFC 3261 §22.4), with the algorithms of RFC 8760 (MD5, SHA-256,
 * SHA-512-256) and {@code qop=auth} (RFC 7616 §3.4). Pure computation: the challenge comes from a
 * parsed {@code WWW-Authenticate} or {@code Proxy-Authenticate} header, the answer goes into an
 * {@code Authorization} or {@code Proxy-Authorization} header.
 */
final class Digest {

    /** The algorithms, strongest first: the order in which a choice between challenges is made (RFC 8760 §2.4). */
    enum Algorithm {
        SHA_512_256("SHA-512-256", "SHA-512/256"),
        SHA_256("SHA-256", "SHA-256"),
        MD5("MD5", "MD5");

        private final String token;
        private final String jca;

        Algorithm(String token, String jca) {
            this.token = token;
            this.jca = jca;
        }

        /** The name in the {@code algorithm} parameter. */
        String token() {
            return token;
        }

        /**
         * The algorithm a challenge names; an absent parameter means MD5 (RFC 7616 §3.3). The
         * {@code -sess} variants and unknown names are not supported.
         */
        static Optional<Algorithm> of(String parameter) {
            if (parameter == null || parameter.isBlank()) {
                return Optional.of(MD5);
            }
            for (Algorithm a : values()) {
                if (a.token.equalsIgnoreCase(parameter.trim())) {
                    return Optional.of(a);
                }
            }
            return Optional.empty();
        }

        String hash(String text) {
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance(jca).digest(text.getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java 17 runtime has " + jca, e);
            }
        }
    }

    /**
     * What a 401 or 407 asked for.
     *
     * @param realm the protection space; the credentials must be for it
     * @param nonce the server's nonce
     * @param opaque returned unchanged, or null
     * @param algorithm the hash to use
     * @param qops the {@code qop} options offered, lower case; empty for an RFC 2069 challenge
     * @param stale true when the previous answer was right but its nonce too old (RFC 7616 §3.3):
     *     the request is answered again with the same credentials
     */
    record Challenge(String realm, String nonce, String opaque, Algorithm algorithm, List<String> qops, boolean stale) {

        Challenge {
            qops = qops.stream().map(q -> q.trim().toLowerCase(Locale.ROOT)).filter(q -> !q.isEmpty()).toList();
        }

        /** Whether it can be answered: {@code auth} offered, or no qop at all (RFC 2069 compatibility). */
        boolean answerable() {
            return qops.isEmpty() || qops.contains("auth");
        }
    }

    /**
     * The parameters of an {@code Authorization} answer.
     *
     * @param qop {@code auth}, or null for an RFC 2069 challenge (and then no nc and cnonce)
     * @param nonceCount the 8-hex-digit {@code nc}, or null
     */
    record Answer(String username, String realm, String nonce, String uri, String response, Algorithm algorithm,
            String opaque, String qop, String cnonce, String nonceCount) {}

    private Digest() {}

    /**
     * The answer to {@code challenge} for a request of {@code method} to {@code uri}.
     *
     * @param nonceCount how many requests this answer's nonce has now been used for, from 1
     *     (RFC 7616 §3.4: nc)
     */
    static Answer answer(Challenge challenge, String username, String password, String method, String uri,
            String cnonce, long nonceCount) {
        if (!challenge.answerable()) {
            throw new IllegalArgumentException("qop " + challenge.qops() + " offers no 'auth'");
        }
        Algorithm h = challenge.algorithm();
        // RFC 7616 §3.4.2 (A1) and §3.4.3 (A2) for qop=auth.
        String ha1 = h.hash(username + ":" + challenge.realm() + ":" + password);
        String ha2 = h.hash(method + ":" + uri);
        if (challenge.qops().isEmpty()) {
            // RFC 2069 §2.1.1, kept by RFC 3261 §22.4 for old servers.
            return new Answer(username, challenge.realm(), challenge.nonce(), uri,
                    h.hash(ha1 + ":" + challenge.nonce() + ":" + ha2), h, challenge.opaque(), null, null, null);
        }
        String nc = String.format(Locale.ROOT, "%08x", nonceCount);
        // RFC 7616 §3.4.1: response = KD(H(A1), nonce:nc:cnonce:qop:H(A2)).
        String response = h.hash(ha1 + ":" + challenge.nonce() + ":" + nc + ":" + cnonce + ":auth:" + ha2);
        return new Answer(username, challenge.realm(), challenge.nonce(), uri, response, h, challenge.opaque(), "auth",
                cnonce, nc);
    }
}
