package dev.passerelle.gateway.sip;

import dev.passerelle.gateway.config.GatewayConfig;
import gov.nist.javax.sip.header.HeaderExt;
import java.text.ParseException;
import java.util.ListIterator;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.SipException;
import javax.sip.header.AllowHeader;
import javax.sip.header.CSeqHeader;
import javax.sip.header.Header;
import javax.sip.header.RequireHeader;
import javax.sip.header.SupportedHeader;
import javax.sip.message.Message;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Session timers of RFC 4028 on the legs that have a JAIN-SIP dialog: what the gateway asks for
 * in its INVITE, what it grants to an INVITE or a refresh it receives, and per leg one task on
 * the SIP side's scheduler, either the next refresh (when the gateway is the refresher) or the
 * session's expiry (when the peer is), cancelled when the leg ends. Adopted legs ({@code
 * leg.model != null}) get no session timer. A session that expires, or whose refresh gets no
 * answer, 408 or 481, ends with BYE and {@link SipEvents#failed} (408 "Session timer expired"),
 * so the application ends the call.
 */
final class SessionTimers {

    private static final Logger LOG = LoggerFactory.getLogger(SessionTimers.class);

    /** Option tag of reliable provisional responses (RFC 3262 §3). */
    static final String RELIABLE = "100rel";
    /** Option tag of session timers (RFC 4028 §3). */
    static final String TIMER = "timer";
    /** The reason of {@link SipEvents#failed} when a session timer ends a call. */
    static final String EXPIRED = "Session timer expired";

    private static final String SESSION_EXPIRES = "Session-Expires";
    private static final String MIN_SE = "Min-SE";

    private final SipContext sip;
    private final GatewayConfig.SessionTimerConfig config;

    SessionTimers(SipContext sip) {
        this.sip = sip;
        this.config = sip.config.sessionTimer();
    }

    /** The Session-Expires of a message (RFC 4028 §4): delta-seconds and the refresher, or null. */
    record SessionExpires(long seconds, String refresher) {

        static SessionExpires of(Message message) {
            String value = value(message, SESSION_EXPIRES, "x");
            if (value == null) {
                return null;
            }
            String[] parts = value.split(";");
            long seconds;
            try {
                seconds = Long.parseLong(parts[0].trim());
            } catch (NumberFormatException e) {
                return null;
            }
            String refresher = null;
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].trim().toLowerCase(Locale.ROOT);
                if (p.equals("refresher=uac") || p.equals("refresher=uas")) {
                    refresher = p.substring("refresher=".length());
                }
            }
            return new SessionExpires(seconds, refresher);
        }
    }

    /** The Min-SE of a message in seconds (RFC 4028 §5), or 0 when absent or unreadable. */
    static long minSe(Message message) {
        String value = value(message, MIN_SE, null);
        if (value == null) {
            return 0;
        }
        try {
            return Long.parseLong(value.split(";")[0].trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String value(Message message, String name, String compact) {
        Header h = message.getHeader(name);
        if (h == null && compact != null) {
            h = message.getHeader(compact);
        }
        if (h instanceof HeaderExt ext) {
            return ext.getValue();
        }
        return null;
    }

    /** Whether the message's Supported or Require header lists {@code tag}. */
    static boolean lists(Message message, String headerName, String tag) {
        ListIterator<?> it = message.getHeaders(headerName);
        while (it != null && it.hasNext()) {
            Object h = it.next();
            String t = h instanceof RequireHeader r ? r.getOptionTag()
                    : h instanceof SupportedHeader s ? s.getOptionTag() : null;
            if (t != null && t.trim().equalsIgnoreCase(tag)) {
                return true;
            }
        }
        return false;
    }

    static boolean supports(Message message, String tag) {
        return lists(message, SupportedHeader.NAME, tag) || lists(message, RequireHeader.NAME, tag);
    }

    /** Whether the message's Allow lists UPDATE. */
    static boolean allowsUpdate(Message message) {
        ListIterator<?> it = message.getHeaders(AllowHeader.NAME);
        while (it != null && it.hasNext()) {
            if (it.next() instanceof AllowHeader a && Request.UPDATE.equalsIgnoreCase(a.getMethod())) {
                return true;
            }
        }
        return false;
    }

    // ---- UAC: our INVITE and its 2xx ---------------------------------------------------------

    /**
     * What our INVITE offers: {@code Supported: 100rel, timer} and, with session timers on, the
     * interval we ask for and our Min-SE (RFC 4028 §7.1; the refresher is left to the UAS).
     */
    void addToInvite(Request invite, long sessionExpires) throws ParseException, javax.sip.InvalidArgumentException {
        invite.addHeader(sip.headerFactory.createSupportedHeader(RELIABLE));
        if (!config.enabled()) {
            return;
        }
        invite.addHeader(sip.headerFactory.createSupportedHeader(TIMER));
        invite.setHeader(sip.headerFactory.createHeader(SESSION_EXPIRES, Long.toString(sessionExpires)));
        invite.setHeader(sip.headerFactory.createHeader(MIN_SE, Long.toString(config.minSE().toSeconds())));
    }

    /**
     * Turns our INVITE refused with 422 into the one that asks again (RFC 4028 §7.3): at least
     * the 422's Min-SE, and that Min-SE.
     */
    void askAgain(Request invite, long minSe) throws ParseException, javax.sip.InvalidArgumentException {
        invite.removeHeader(SESSION_EXPIRES);
        invite.removeHeader(MIN_SE);
        invite.removeHeader(SupportedHeader.NAME);
        addToInvite(invite, Math.max(minSe, requestedInterval()));
        invite.setHeader(sip.headerFactory.createHeader(MIN_SE, Long.toString(minSe)));
    }

    /** The interval our first INVITE asks for. */
    long requestedInterval() {
        return config.expires().toSeconds();
    }

    /** Whether the gateway asks for and grants session timers ({@code sip.sessionTimer.enabled}). */
    boolean enabled() {
        return config.enabled();
    }

    /**
     * The 2xx to our INVITE fixes the session timer (RFC 4028 §7.2): the UAS's Session-Expires
     * and refresher; a 2xx without Session-Expires means there is no session expiration.
     */
    void negotiateAsUac(Leg leg, Response ok) {
        SessionExpires se = config.enabled() ? SessionExpires.of(ok) : null;
        synchronized (leg) {
            leg.peerAllowsUpdate = allowsUpdate(ok);
            leg.peerSupportsTimer = supports(ok, TIMER);
            leg.sessionInterval = se == null ? 0 : se.seconds();
            leg.weRefresh = se != null && !"uas".equals(se.refresher());
        }
    }

    // ---- UAS: an INVITE, re-INVITE or UPDATE we answer ---------------------------------------

    /**
     * When the request's Session-Expires is below our Min-SE, the 422 that refuses it (RFC 4028
     * §9) carrying our Min-SE; otherwise null.
     */
    Response tooSmall(Request request) throws ParseException, javax.sip.InvalidArgumentException {
        SessionExpires se = config.enabled() ? SessionExpires.of(request) : null;
        if (se == null || se.seconds() >= config.minSE().toSeconds()) {
            return null;
        }
        Response r = sip.response(422, request, null);
        r.setReasonPhrase("Session Interval Too Small");
        r.setHeader(sip.headerFactory.createHeader(MIN_SE, Long.toString(config.minSE().toSeconds())));
        return r;
    }

    /**
     * What the leg grants to a request it answers 2xx (RFC 4028 §9): the requested interval,
     * lowered to our {@code expires} but never below either side's Min-SE, and the refresher the
     * request names; without one, the UAC when it supports timers, else ourselves. A request
     * without Session-Expires gets our {@code expires} the same way. The request is the peer's,
     * so "uac" is the peer.
     */
    void negotiateAsUas(Leg leg, Request request) {
        boolean supportsTimer = supports(request, TIMER);
        boolean allowsUpdate = allowsUpdate(request);
        long interval = 0;
        boolean weRefresh = false;
        if (config.enabled()) {
            SessionExpires se = SessionExpires.of(request);
            long floor = Math.max(config.minSE().toSeconds(), minSe(request));
            interval = Math.max(floor, se == null ? config.expires().toSeconds()
                    : Math.min(se.seconds(), config.expires().toSeconds()));
            String refresher = se != null && se.refresher() != null ? se.refresher() : supportsTimer ? "uac" : "uas";
            weRefresh = refresher.equals("uas");
        }
        synchronized (leg) {
            leg.peerSupportsTimer = supportsTimer;
            if (request.getHeader(AllowHeader.NAME) != null) {
                leg.peerAllowsUpdate = allowsUpdate;
            }
            leg.sessionInterval = interval;
            leg.weRefresh = weRefresh;
        }
    }

    /**
     * The session timer granted by {@link #negotiateAsUas} in our 2xx: Session-Expires with the
     * refresher, and {@code Require: timer} when the UAC supports it (RFC 4028 §9).
     */
    void addToAnswer(Leg leg, Response response) throws ParseException {
        long interval;
        boolean weRefresh;
        boolean supportsTimer;
        synchronized (leg) {
            interval = leg.sessionInterval;
            weRefresh = leg.weRefresh;
            supportsTimer = leg.peerSupportsTimer;
        }
        if (interval <= 0) {
            return;
        }
        response.setHeader(sip.headerFactory.createHeader(SESSION_EXPIRES,
                interval + ";refresher=" + (weRefresh ? "uas" : "uac")));
        if (supportsTimer) {
            response.addHeader(sip.headerFactory.createRequireHeader(TIMER));
        }
    }

    // ---- the per-leg timer -------------------------------------------------------------------

    /**
     * (Re)starts the leg's timer from now, as the last 2xx to an INVITE, re-INVITE or UPDATE
     * negotiated it (RFC 4028 §10): the refresher refreshes at half the interval; the other side
     * ends the session when no refresh came by the interval minus min(32 s, interval/3).
     */
    void restart(Leg leg) {
        synchronized (leg) {
            cancelTask(leg);
            if (leg.sessionInterval <= 0 || leg.model != null || leg.state != Leg.State.CONFIRMED) {
                return;
            }
            long intervalMs = leg.sessionInterval * 1000;
            if (leg.weRefresh) {
                leg.sessionTask = sip.timers.schedule(() -> refresh(leg), intervalMs / 2, TimeUnit.MILLISECONDS);
            } else {
                long expiry = intervalMs - Math.min(32_000, intervalMs / 3);
                leg.sessionTask = sip.timers.schedule(() -> expire(leg), expiry, TimeUnit.MILLISECONDS);
            }
        }
    }

    private static void cancelTask(Leg leg) {
        if (leg.sessionTask != null) {
            leg.sessionTask.cancel(false);
            leg.sessionTask = null;
        }
    }

    private void expire(Leg leg) {
        LOG.info("session of {} expired: no refresh within {} s (RFC 4028 §10)", leg.callId, leg.sessionInterval);
        end(leg, Response.REQUEST_TIMEOUT, EXPIRED);
    }

    /** Ends a confirmed leg with BYE and tells the application why (RFC 4028 §10). */
    void end(Leg leg, int status, String reason) {
        synchronized (leg) {
            cancelTask(leg);
            if (leg.state != Leg.State.CONFIRMED) {
                return;
            }
            leg.state = Leg.State.ENDING;
        }
        try {
            sip.sendBye(leg);
        } catch (SipException | RuntimeException e) {
            LOG.warn("BYE for {} failed", leg.callId, e);
            sip.legs.remove(leg);
        }
        sip.events.failed(leg.callId, status, reason);
    }

    /**
     * Sends the refresh (RFC 4028 §10): UPDATE without a body when the peer allows UPDATE, else a
     * re-INVITE offering the session in force again; both name us the refresher ("uac").
     */
    void refresh(Leg leg) {
        Request request;
        ClientTransaction ct;
        Dialog dialog;
        synchronized (leg) {
            if (leg.state != Leg.State.CONFIRMED || leg.model != null || leg.refreshCseq >= 0) {
                return;
            }
            dialog = leg.dialog;
            String method = leg.peerAllowsUpdate ? Request.UPDATE : Request.INVITE;
            try {
                request = dialog.createRequest(method);
                request.setHeader(sip.headerFactory.createHeader(SESSION_EXPIRES,
                        leg.sessionInterval + ";refresher=uac"));
                request.setHeader(sip.headerFactory.createHeader(MIN_SE, Long.toString(config.minSE().toSeconds())));
                request.addHeader(sip.headerFactory.createSupportedHeader(TIMER));
                sip.addUserAgent(request);
                if (method.equals(Request.INVITE)) {
                    request.setHeader(sip.contact(leg.transport));
                    sip.addAllow(request);
                    sip.setSdp(request, leg.localSdp);
                }
                ct = sip.clientTransaction(request, leg);
            } catch (ParseException | SipException | RuntimeException e) {
                LOG.warn("cannot build the session refresh of {}", leg.callId, e);
                return;
            }
            leg.refreshCseq = ((CSeqHeader) request.getHeader(CSeqHeader.NAME)).getSeqNumber();
            leg.refreshMethod = method;
            // Without a final response by the time the session would expire, it has (§10); the
            // 2xx restarts the timer and cancels this.
            cancelTask(leg);
            leg.sessionTask = sip.timers.schedule(() -> expire(leg), leg.sessionInterval * 1000 / 2,
                    TimeUnit.MILLISECONDS);
        }
        try {
            dialog.sendRequest(ct);
        } catch (SipException | RuntimeException e) {
            LOG.warn("cannot send the session refresh of {}", leg.callId, e);
            end(leg, Response.SERVICE_UNAVAILABLE, "Session refresh failed");
        }
    }

    /** Whether a response to our INVITE or UPDATE answers the session refresh in flight. */
    static boolean isRefresh(Leg leg, CSeqHeader cseq) {
        synchronized (leg) {
            return leg.refreshCseq == cseq.getSeqNumber() && cseq.getMethod().equals(leg.refreshMethod);
        }
    }

    /**
     * The final response to our refresh. 2xx: the re-INVITE's is ACKed, the response's
     * Session-Expires restarts the timer (none: no more expiration, RFC 4028 §7.2). 491: again
     * after the RFC 3261 §14.1 delay. 422: again with the Min-SE asked for (§7.3). 405/501 to
     * UPDATE: again as re-INVITE. 408/481 and every other failure: the session ends (§10).
     */
    void onRefreshResponse(Leg leg, Response response) {
        int status = response.getStatusCode();
        if (status < 200) {
            return;
        }
        String method;
        synchronized (leg) {
            method = leg.refreshMethod;
            leg.refreshCseq = -1;
            leg.refreshMethod = null;
        }
        if (status < 300) {
            String answer = SipContext.body(response);
            if (method.equals(Request.INVITE)) {
                ack(leg, response);
            }
            SessionExpires se = SessionExpires.of(response);
            synchronized (leg) {
                if (answer != null) {
                    leg.remoteSdp = answer;
                }
                leg.sessionInterval = se == null ? 0 : se.seconds();
                leg.weRefresh = se != null && !"uas".equals(se.refresher());
            }
            restart(leg);
            return;
        }
        switch (status) {
            case Response.REQUEST_PENDING -> {
                // RFC 3261 §14.1: 2.1-4 s when we own the Call-ID (we sent the INVITE), else 0-2 s.
                long delay = leg.direction == Leg.Direction.INBOUND
                        ? ThreadLocalRandom.current().nextLong(0, 2_001)
                        : ThreadLocalRandom.current().nextLong(2_100, 4_001);
                synchronized (leg) {
                    cancelTask(leg);
                    leg.sessionTask = sip.timers.schedule(() -> refresh(leg), delay, TimeUnit.MILLISECONDS);
                }
            }
            case 422 -> {
                long min = minSe(response);
                boolean retry;
                synchronized (leg) {
                    retry = min > leg.sessionInterval;
                    if (retry) {
                        leg.sessionInterval = min;
                    }
                }
                if (retry) {
                    sip.timers.execute(() -> refresh(leg));
                } else {
                    end(leg, status, "Session refresh failed");
                }
            }
            case Response.METHOD_NOT_ALLOWED, Response.NOT_IMPLEMENTED -> {
                boolean retry;
                synchronized (leg) {
                    retry = method.equals(Request.UPDATE);
                    leg.peerAllowsUpdate = false;
                }
                if (retry) {
                    sip.timers.execute(() -> refresh(leg));
                } else {
                    end(leg, status, "Session refresh failed");
                }
            }
            case Response.REQUEST_TIMEOUT, Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST ->
                    end(leg, Response.REQUEST_TIMEOUT, EXPIRED);
            default -> end(leg, status, "Session refresh failed");
        }
    }

    /** No response to our refresh (RFC 4028 §10: like a 408). */
    void onRefreshTimeout(Leg leg) {
        synchronized (leg) {
            leg.refreshCseq = -1;
            leg.refreshMethod = null;
        }
        end(leg, Response.REQUEST_TIMEOUT, EXPIRED);
    }

    private void ack(Leg leg, Response response) {
        try {
            long cseq = ((CSeqHeader) response.getHeader(CSeqHeader.NAME)).getSeqNumber();
            Request ack = leg.dialog.createAck(cseq);
            synchronized (leg) {
                // A retransmission of this 2xx gets the same ACK (ResponseHandler resends leg.ack).
                leg.ack = ack;
            }
            leg.dialog.sendAck(ack);
        } catch (SipException | javax.sip.InvalidArgumentException | RuntimeException e) {
            LOG.warn("cannot ACK the refresh of {}", leg.callId, e);
        }
    }
}
