package dev.passerelle.gateway.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.passerelle.gateway.error.ErrorCode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code message.send}, {@code data.send} and their events on the wire. */
class MessageCodecTest {

    private final ProtocolCodec codec = new ProtocolCodec(32, 256 * 1024);
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void messageAndDataRequestsRoundTrip() throws Exception {
        List<Request> requests = List.of(
                new Request(IntNode.valueOf(1), Method.MESSAGE_SEND,
                        new Params.MessageSend("sip:bob@example.com", "héllo ☃", "text/plain;charset=UTF-8")),
                new Request(IntNode.valueOf(2), Method.MESSAGE_SEND,
                        new Params.MessageSend("bob", "{\"a\":1}", "application/json")),
                new Request(IntNode.valueOf(3), Method.DATA_SEND,
                        new Params.DataSend("bob", json.readTree("{\"cursor\":[1,2],\"who\":null}"))),
                new Request(IntNode.valueOf(4), Method.DATA_SEND, new Params.DataSend("bob", TextNode.valueOf("x"))));
        for (Request r : requests) {
            assertEquals(r, codec.decode(codec.request(r)), r.method().wireName());
        }
    }

    @Test
    void contentTypeDefaultsToUtf8PlainText() {
        Params.MessageSend p = (Params.MessageSend) codec.decode(message("{\"to\":\"bob\",\"body\":\"hi\"}")).params();
        assertEquals("text/plain;charset=UTF-8", p.contentType());
    }

    @Test
    void aNullPayloadIsAPayload() {
        Params.DataSend p = (Params.DataSend) codec.decode(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"data.send\",\"params\":{\"to\":\"bob\",\"payload\":null}}")
                .params();
        assertEquals(NullNode.getInstance(), p.payload());
    }

    @ParameterizedTest
    @ValueSource(strings = {"text", "text/", "/plain", "image/png", "text/plain;charset=ISO-8859-1",
        "text/plain; charset", "text/pl ain", "multipart/mixed;boundary=x", "text/plain;x=\"a\\\"b\""})
    void contentTypesRefused(String type) {
        assertInvalidParams("message.send", "{\"to\":\"bob\",\"body\":\"hi\",\"contentType\":" + quote(type) + "}",
                "contentType");
    }

    @ParameterizedTest
    @ValueSource(strings = {"text/plain", "TEXT/HTML", "application/json", "application/vnd.example+json",
        "text/plain; charset=\"utf-8\"", "text/plain;charset=utf-8;format=flowed", "application/im-iscomposing+xml"})
    void contentTypesTaken(String type) {
        Params.MessageSend p = (Params.MessageSend) codec.decode(
                message("{\"to\":\"bob\",\"body\":\"hi\",\"contentType\":" + quote(type) + "}")).params();
        assertEquals(type, p.contentType());
    }

    @Test
    void badParamsNameTheMember() {
        assertInvalidParams("message.send", "{\"body\":\"hi\"}", "to");
        assertInvalidParams("message.send", "{\"to\":\"bob\"}", "body");
        assertInvalidParams("message.send", "{\"to\":\"bob\",\"body\":\" \"}", "body");
        assertInvalidParams("message.send", "{\"to\":\"bob\",\"body\":5}", "body");
        assertInvalidParams("message.send", "{\"to\":\"bob\",\"body\":\"x\",\"contentType\":1}", "contentType");
        assertInvalidParams("data.send", "{\"payload\":1}", "to");
        assertInvalidParams("data.send", "{\"to\":\"bob\"}", "payload");
    }

    @Test
    void bodyIsBoundedInUtf8Bytes() {
        // 8192 two-byte characters: 16384 bytes, the limit; one more byte is over it.
        String atLimit = "é".repeat(Params.MessageSend.MAX_BODY_BYTES / 2);
        Params.MessageSend p = (Params.MessageSend) codec.decode(
                message("{\"to\":\"bob\",\"body\":" + quote(atLimit) + "}")).params();
        assertEquals(atLimit, p.body());
        assertInvalidParams("message.send", "{\"to\":\"bob\",\"body\":" + quote(atLimit + "a") + "}", "body");
    }

    @Test
    void payloadIsBoundedAsJson() {
        String atLimit = "a".repeat(Params.DataSend.MAX_PAYLOAD_BYTES - 2);
        Params.DataSend p = (Params.DataSend) codec.decode("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"data.send\","
                + "\"params\":{\"to\":\"bob\",\"payload\":" + quote(atLimit) + "}}").params();
        assertEquals(atLimit, p.payload().textValue());
        assertInvalidParams("data.send", "{\"to\":\"bob\",\"payload\":" + quote(atLimit + "a") + "}", "payload");
    }

    @Test
    void eventsRoundTrip() throws Exception {
        List<Event> events = List.of(
                new Event.MessageReceived("m1", "sip:bob@x", "hi ☃", "text/plain", "2026-11-21T21:30:00Z"),
                new Event.MessageStatus("m1", Event.MessageStatus.DELIVERED, 200),
                new Event.MessageStatus("m1", Event.MessageStatus.FAILED, null),
                new Event.DataReceived("sip:alice@x", json.readTree("[1,{\"b\":true}]")));
        long seq = 1;
        for (Event e : events) {
            String frame = codec.event(e, seq);
            assertTrue(codec.isEvent(frame));
            assertEquals(new ProtocolCodec.DecodedEvent(e, seq), codec.decodeEvent(frame));
            seq++;
        }
    }

    @Test
    void eventWireShapes() throws Exception {
        assertEquals("{\"jsonrpc\":\"2.0\",\"method\":\"message.status\",\"params\":"
                + "{\"messageId\":\"m\",\"status\":\"failed\",\"code\":486,\"seq\":4}}",
                json.readTree(codec.event(new Event.MessageStatus("m", "failed", 486), 4)).toString());
        JsonNode data = json.readTree(codec.event(new Event.DataReceived("sip:a@x", json.readTree("{\"k\":[1]}")), 5));
        assertEquals("{\"from\":\"sip:a@x\",\"payload\":{\"k\":[1]},\"seq\":5}", data.get("params").toString());
        JsonNode noCode = json.readTree(codec.event(new Event.MessageStatus("m", "failed", null), 6));
        assertFalse(noCode.get("params").has("code"));
        assertEquals("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"messageId\":\"m\"}}",
                json.readTree(codec.result(IntNode.valueOf(1), new Results.MessageSent("m"))).toString());
    }

    private static String message(String params) {
        return "{\"jsonrpc\":\"2.0\",\"id\":\"p\",\"method\":\"message.send\",\"params\":" + params + "}";
    }

    private static String quote(String s) {
        return TextNode.valueOf(s).toString();
    }

    private void assertInvalidParams(String method, String params, String member) {
        String text = "{\"jsonrpc\":\"2.0\",\"id\":\"p\",\"method\":\"" + method + "\",\"params\":" + params + "}";
        RpcException e = assertThrows(RpcException.class, () -> codec.decode(text), text);
        assertEquals(ErrorCode.INVALID_PARAMS, e.code(), text);
        assertTrue(e.getMessage().startsWith(member + " "), text + " -> " + e.getMessage());
    }
}
