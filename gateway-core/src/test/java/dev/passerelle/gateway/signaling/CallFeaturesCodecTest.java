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

/** The wire format of {@code call.dtmf} and {@code call.transfer}, and of their events. */
class CallFeaturesCodecTest {

    private final ProtocolCodec codec = new ProtocolCodec(32, 4096);
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void requestsRoundTrip() {
        List<Request> requests = List.of(
                new Request(IntNode.valueOf(1), Method.CALL_DTMF, new Params.Dtmf("c1", "0123456789*#ABCD", 40)),
                new Request(IntNode.valueOf(2), Method.CALL_DTMF, new Params.Dtmf("c1", "1", 2000)),
                new Request(IntNode.valueOf(3), Method.CALL_TRANSFER, new Params.Transfer("c1", "sip:carol@example.com")),
                new Request(IntNode.valueOf(4), Method.CALL_INVITE, new Params.Invite("sip:carol@x", "v=0", null, "c1")),
                new Request(IntNode.valueOf(5), Method.CALL_INVITE, new Params.Invite("sip:carol@x", "v=0", null)));
        for (Request r : requests) {
            assertEquals(r, codec.decode(codec.request(r)), r.method().wireName());
        }
    }

    @Test
    void dtmfDurationDefaultsTo160AndLettersAreUpperCased() {
        Request r = codec.decode("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"call.dtmf\","
                + "\"params\":{\"callId\":\"c\",\"tones\":\"1a#d\"}}");
        assertEquals(new Params.Dtmf("c", "1A#D", 160), r.params());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"\"", "\"12 3\"", "\"E\"", "\"1,2\"", "\"123456789012345678901234567890123\"", "5", "null"})
    void badTonesAreInvalidParamsNamingTones(String tones) {
        assertInvalidParams("call.dtmf", "{\"callId\":\"c\",\"tones\":" + tones + "}", "tones");
    }

    @ParameterizedTest
    @ValueSource(strings = {"39", "2001", "\"160\"", "1.5"})
    void badDurationIsInvalidParamsNamingDurationMs(String duration) {
        assertInvalidParams("call.dtmf", "{\"callId\":\"c\",\"tones\":\"1\",\"durationMs\":" + duration + "}",
                "durationMs");
    }

    @Test
    void transferNeedsCallIdAndTo() {
        assertInvalidParams("call.transfer", "{\"callId\":\"c\"}", "to");
        assertInvalidParams("call.transfer", "{\"to\":\"bob\"}", "callId");
        assertInvalidParams("call.dtmf", "{\"tones\":\"1\"}", "callId");
    }

    @Test
    void eventsRoundTripAndWireShape() throws Exception {
        List<Event> events = List.of(new Event.CallDtmf("c1", "12#"),
                new Event.CallTransferred("c1", "sip:carol@x", 202),
                new Event.CallTransferred("c1", "sip:carol@x", 486),
                new Event.CallReferred("c1", "sip:carol@x", "sip:bob@y"),
                new Event.CallReferred("c1", "tel:+33123456789", null));
        long seq = 1;
        for (Event e : events) {
            String frame = codec.event(e, seq);
            assertTrue(codec.isEvent(frame));
            assertEquals(new ProtocolCodec.DecodedEvent(e, seq), codec.decodeEvent(frame));
            seq++;
        }
        assertEquals("{\"jsonrpc\":\"2.0\",\"method\":\"call.dtmf\",\"params\":{\"callId\":\"c\",\"tones\":\"5\",\"seq\":3}}",
                json.readTree(codec.event(new Event.CallDtmf("c", "5"), 3)).toString());
        assertEquals("{\"jsonrpc\":\"2.0\",\"method\":\"call.transferred\",\"params\":"
                + "{\"callId\":\"c\",\"to\":\"sip:x@y\",\"status\":200,\"seq\":4}}",
                json.readTree(codec.event(new Event.CallTransferred("c", "sip:x@y", 200), 4)).toString());
    }

    @Test
    void referredByMustBeAString() {
        assertInvalidParams("call.invite", "{\"to\":\"bob\",\"sdp\":\"v=0\",\"referredBy\":7}", "referredBy");
    }

    private void assertInvalidParams(String method, String params, String member) {
        String text = "{\"jsonrpc\":\"2.0\",\"id\":\"p\",\"method\":\"" + method + "\",\"params\":" + params + "}";
        RpcException e = assertThrows(RpcException.class, () -> codec.decode(text), text);
        assertEquals(ErrorCode.INVALID_PARAMS, e.code(), text);
        assertEquals(TextNode.valueOf("p"), e.id(), text);
        assertTrue(e.getMessage().startsWith(member + " "), text + " -> " + e.getMessage());
    }
}
