package dev.passerelle.gateway.sdp;

import java.util.Objects;

/**
 * The offer/answer state of one dialog leg (RFC 3264 §4): the last offer and, once it came, its
 * answer. Immutable: each step returns the next state, so a refused re-offer leaves the caller
 * with the state it had (the previous exchange stays in force, as RFC 3264 §8 wants).
 *
 * @param answer null while the offer is pending
 */
public record Negotiation(Sdp offer, Sdp answer) {

    public Negotiation {
        Objects.requireNonNull(offer, "offer");
    }

    /** The state after the first offer of a dialog. */
    public static Negotiation offered(Sdp offer) {
        return new Negotiation(offer, null);
    }

    public boolean isPending() {
        return answer == null;
    }

    /** The state once the pending offer is answered; the answer is checked against it (RFC 3264 §6). */
    public Negotiation answered(Sdp sdpAnswer) {
        if (!isPending()) {
            throw new SdpException("an answer came but no offer is pending (RFC 3264 §4)");
        }
        OfferAnswer.checkAnswer(offer, sdpAnswer);
        return new Negotiation(offer, sdpAnswer);
    }

    /** The state after a new offer in the dialog, checked against the last exchange (RFC 3264 §8). */
    public Negotiation reoffered(Sdp newOffer) {
        if (isPending()) {
            throw new SdpException("a new offer came while the previous one is still unanswered (RFC 3264 §4)");
        }
        OfferAnswer.checkReoffer(offer, answer, newOffer);
        return new Negotiation(newOffer, null);
    }
}
