package dev.passerelle.gateway.signaling;

import java.util.Optional;

/** The client-to-gateway methods this version implements, with the params each one takes. */
public enum Method {
    SESSION_LOGIN("session.login", Params.Login.class, false),
    SESSION_RESUME("session.resume", Params.Resume.class, false),
    SESSION_ACK("session.ack", Params.Ack.class, true),
    SESSION_LOGOUT("session.logout", Params.Logout.class, true),
    CALL_INVITE("call.invite", Params.Invite.class, true),
    CALL_ANSWER("call.answer", Params.Answer.class, true),
    CALL_REJECT("call.reject", Params.Reject.class, true),
    CALL_HANGUP("call.hangup", Params.Hangup.class, true),
    CALL_UPDATE("call.update", Params.Update.class, true),
    CALL_DTMF("call.dtmf", Params.Dtmf.class, true),
    CALL_TRANSFER("call.transfer", Params.Transfer.class, true),
    QOS_REPORT("qos.report", Params.QosReport.class, true),
    MESSAGE_SEND("message.send", Params.MessageSend.class, true),
    DATA_SEND("data.send", Params.DataSend.class, true),
    PRESENCE_PUBLISH("presence.publish", Params.PresencePublish.class, true),
    PRESENCE_SUBSCRIBE("presence.subscribe", Params.PresenceTarget.class, true),
    PRESENCE_UNSUBSCRIBE("presence.unsubscribe", Params.PresenceTarget.class, true);

    private final String wireName;
    private final Class<? extends Params> paramsType;
    private final boolean needsSession;

    Method(String wireName, Class<? extends Params> paramsType, boolean needsSession) {
        this.wireName = wireName;
        this.paramsType = paramsType;
        this.needsSession = needsSession;
    }

    /** The JSON-RPC method name. */
    public String wireName() {
        return wireName;
    }

    public Class<? extends Params> paramsType() {
        return paramsType;
    }

    /** False only for the two methods allowed before login: {@code session.login} and {@code session.resume}. */
    public boolean needsSession() {
        return needsSession;
    }

    public static Optional<Method> byWireName(String name) {
        for (Method m : values()) {
            if (m.wireName.equals(name)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }
}
