package dev.passerelle.gateway.sip;

import java.text.ParseException;
import java.util.Optional;

import javax.sip.header.CSeqHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * Answers a 401 or 407 to a request the gateway sent on behalf of a web user (INVITE, MESSAGE,
 * SUBSCRIBE, PUBLISH) with the credentials of that user's registration on this node. Callers
 * answer at most one challenge per request: a second challenge fails the request with its code.
 */
final class Challenges {
    private final SipContext sip;
    private final Registrations registrations;

    Challenges(SipContext sip, Registrations registrations) {
        this.sip = sip;
        this.registrations = registrations;
    }

    /**
     * The request to send again: the same request with the same Call-ID and From tag, CSeq one
     * higher and an {@code Authorization} or {@code Proxy-Authorization} (RFC 3261 §22.2), and no
     * branch, so that the new client transaction gives it a new one (RFC 3261 §8.1.1.7).
     *
     * @param first the challenged request as it was sent
     * @param challenge the 401 or 407 it got
     * @param aor the address of record whose registration's credentials answer
     * @return empty when this node does not register {@code aor} or the response offers no
     *     challenge the gateway can answer: the response then fails the request
     */
    Optional<Request> answer(Request first, Response challenge, String aor) throws ParseException {
        boolean proxy = challenge.getStatusCode() == Response.PROXY_AUTHENTICATION_REQUIRED;
        Optional<Digest.Challenge> offered = Registrations.strongest(challenge, proxy);
        Optional<SipRegistration> credentials = aor == null ? Optional.empty() : registrations.credentials(aor);
        if (offered.isEmpty() || credentials.isEmpty()) {
            return Optional.empty();
        }
        Request retry = (Request) first.clone();
        CSeqHeader cseq = (CSeqHeader) retry.getHeader(CSeqHeader.NAME);
        try {
            cseq.setSeqNumber(cseq.getSeqNumber() + 1);
        } catch (javax.sip.InvalidArgumentException e) {
            throw new ParseException("CSeq out of range: " + cseq.getSeqNumber(), 0);
        }
        ((ViaHeader) retry.getHeader(ViaHeader.NAME)).removeParameter("branch");
        retry.addHeader(Registrations.authorization(sip, credentials.get(), offered.get(), proxy,
                retry.getMethod(), retry.getRequestURI().toString(), 1));
        return Optional.of(retry);
    }
}
