package dev.passerelle.gateway.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.passerelle.gateway.error.ErrorCode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The wire format of {@code presence.publish}, {@code presence.subscribe}/{@code unsubscribe} and {@code presence.update}. */
class PresenceCodecTest {

    private final ProtocolCodec codec = new ProtocolCodec(32, 4096);
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void requestsRoundTrip() {
        List<Request> requests = List.of(
                new Request(IntNode.valueOf(1), Method.PRESENCE_PUBLISH, new Params.PresencePublish("away", "lunch")),
                new Request(IntNode.valueOf(2), Method.PRESENCE_PUBLISH, new Params.PresencePublish("offline", null)),
                new Request(IntNode.valueOf(3), Method.PRESENCE_PUBLISH,
                        new Params.PresencePublish("busy", "é".repeat(Params.PresencePublish.MAX_NOTE))),
                new Request(IntNode.valueOf(4), Method.PRESENCE_SUBSCRIBE, new Params.PresenceTarget("sip:bob@far.test")),
                new Request(IntNode.valueOf(5), Method.PRESENCE_UNSUBSCRIBE, new Params.PresenceTarget("bob")));
        for (Request r : requests) {
            assertEquals(r, codec.decode(codec.request(r)), r.method().wireName());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"\"", "\"Available\"", "\"dnd\"", "5", "null"})
    void statusMustBeOneOfTheFour(String status) {
        assertInvalidParams("presence.publish", "{\"status\":" + status + "}", "status");
    }

    @Test
    void noteIsBoundedAndAString() {
        assertInvalidParams("presence.publish",
                "{\"status\":\"busy\",\"note\":\"" + "x".repeat(Params.PresencePublish.MAX_NOTE + 1) + "\"}", "note");
        assertInvalidParams("presence.publish", "{\"status\":\"busy\",\"note\":{}}", "note");
    }

    @Test
    void subscribeAndUnsubscribeNeedTo() {
        assertInvalidParams("presence.subscribe", "{}", "to");
        assertInvalidParams("presence.unsubscribe", "{\"to\":\" \"}", "to");
        assertInvalidParams("presence.subscribe", "{\"to\":3}", "to");
    }

    @Test
    void updateRoundTripsAndLeavesOutAMissingNote() throws Exception {
        List<Event> events = List.of(new Event.PresenceUpdate("bob", "busy", "in a meeting"),
                new Event.PresenceUpdate("sip:carol@far.test", "offline", null));
        long seq = 1;
        for (Event e : events) {
            assertEquals(new ProtocolCodec.DecodedEvent(e, seq), codec.decodeEvent(codec.event(e, seq)));
            seq++;
        }
        assertEquals("{\"jsonrpc\":\"2.0\",\"method\":\"presence.update\",\"params\":"
                + "{\"user\":\"bob\",\"status\":\"available\",\"seq\":7}}",
                json.readTree(codec.event(new Event.PresenceUpdate("bob", "available", null), 7)).toString());
    }

    private void assertInvalidParams(String method, String params, String member) {
        String text = "{\"jsonrpc\":\"2.0\",\"id\":\"p\",\"method\":\"" + method + "\",\"params\":" + params + "}";
        RpcException e = assertThrows(RpcException.class, () -> codec.decode(text), text);
        assertEquals(ErrorCode.INVALID_PARAMS, e.code(), text);
        assertEquals(TextNode.valueOf("p"), e.id(), text);
        assertTrue(e.getMessage().startsWith(member + " "), text + " -> " + e.getMessage());
    }
}
