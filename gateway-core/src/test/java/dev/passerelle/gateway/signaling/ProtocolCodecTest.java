package dev.passerelle.gateway.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProtocolCodecTest {

    private static final int DEPTH = 32;
    private static final int MAX_BYTES = 4096;

    private final ProtocolCodec codec = new ProtocolCodec(DEPTH, MAX_BYTES);
    /** An independent reader, to check the wire shape without trusting the codec. */
    private final ObjectMapper json = new ObjectMapper();

    // ------------------------------------------------------------------ requests

    @Test
    void everyMethodsRequestRoundTrips() {
        List<Request> requests = List.of(
                new Request(IntNode.valueOf(1), Method.SESSION_LOGIN, new Params.Login("tok", "firefox")),
                new Request(IntNode.valueOf(2), Method.SESSION_LOGIN, new Params.Login("tok", null)),
                new Request(TextNode.valueOf("r-3"), Method.SESSION_RESUME, new Params.Resume("rt", 17)),
                new Request(null, Method.SESSION_ACK, new Params.Ack(42)),
                new Request(IntNode.valueOf(4), Method.SESSION_LOGOUT, new Params.Logout()),
                new Request(IntNode.valueOf(5), Method.CALL_INVITE,
                        new Params.Invite("sip:bob@example.com", "v=0\r\n", Map.of("X-Tag", "a"))),
                new Request(IntNode.valueOf(6), Method.CALL_INVITE, new Params.Invite("bob", "v=0", null)),
                new Request(IntNode.valueOf(7), Method.CALL_ANSWER, new Params.Answer("c1", "v=0")),
                new Request(IntNode.valueOf(8), Method.CALL_REJECT, new Params.Reject("c1", 603)),
                new Request(IntNode.valueOf(9), Method.CALL_HANGUP, new Params.Hangup("c1")),
                new Request(IntNode.valueOf(11), Method.CALL_UPDATE, new Params.Update("c1", "v=0\r\na=sendonly\r\n")),
                new Request(IntNode.valueOf(10), Method.QOS_REPORT, new Params.QosReport("c1", List.of(
                        new Params.QosReport.Stream("audio", "inbound", "opus", 1500L, -3L, 240_000L, 4.5, 38.25, 4.3),
                        new Params.QosReport.Stream("video", "outbound", null, null, null, null, null, null, null)))));
        for (Request r : requests) {
            assertEquals(r, codec.decode(codec.request(r)), r.method().wireName());
        }
    }

    // ------------------------------------------------------------------ requests of the gateway

    @Test
    void gatewayRequestRoundTripsWithTheClientsResultAndError() throws Exception {
        String frame = codec.gatewayRequest("g-7", "call.update", new Params.Update("c1", "v=0\r\n"));
        JsonNode wire = json.readTree(frame);
        assertEquals("2.0", wire.get("jsonrpc").asText());
        assertEquals("g-7", wire.get("id").asText());
        assertEquals("call.update", wire.get("method").asText());
        assertEquals("c1", wire.get("params").get("callId").asText());
        assertEquals("v=0\r\n", wire.get("params").get("sdp").asText());
        assertTrue(codec.isGatewayRequest(frame));
        assertFalse(codec.isEvent(frame));
        ProtocolCodec.GatewayRequest received = codec.decodeGatewayRequest(frame);
        assertEquals(new Params.Update("c1", "v=0\r\n"), received.params());

        Inbound result = codec.decodeInbound(codec.result(received.id(), new Results.Update("v=0 answer")), true);
        Reply reply = assertInstanceOf(Reply.class, result);
        assertEquals("g-7", reply.id());
        assertEquals(new Results.Update("v=0 answer"), codec.replyResult(reply, Results.Update.class));

        Inbound error = codec.decodeInbound(codec.error(received.id(), ErrorCode.NOT_ACCEPTABLE_HERE, "no video"), true);
        Reply refused = assertInstanceOf(Reply.class, error);
        assertEquals(488, refused.errorCode());
        assertEquals("no video", refused.errorMessage());
        GatewayException e = assertThrows(GatewayException.class, () -> codec.replyResult(refused, Results.Update.class));
        assertEquals(ErrorCode.NOT_ACCEPTABLE_HERE, e.code());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{}}",
        "{\"jsonrpc\":\"2.0\",\"result\":{}}",
        "{\"jsonrpc\":\"1.0\",\"id\":\"g-1\",\"result\":{}}",
        "{\"jsonrpc\":\"2.0\",\"id\":\"g-1\",\"result\":{},\"error\":{\"code\":1}}",
        "{\"jsonrpc\":\"2.0\",\"id\":\"g-1\",\"error\":{\"code\":\"488\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":\"g-1\",\"error\":{\"code\":488,\"message\":5}}",
        "{\"jsonrpc\":\"2.0\",\"id\":\"g-1\",\"error\":\"no\"}"})
    void malformedResponsesOfTheClientAreInvalidRequestsWithNullId(String frame) {
        RpcException e = assertThrows(RpcException.class, () -> codec.decodeInbound(frame, true));
        assertEquals(ErrorCode.INVALID_REQUEST, e.code());
        assertNull(e.id());
    }

    @Test
    void aResponseIsNotARequest() {
        RpcException e = assertThrows(RpcException.class,
                () -> codec.decode("{\"jsonrpc\":\"2.0\",\"id\":\"g-1\",\"result\":{\"sdp\":\"v=0\"}}", true));
        assertEquals(ErrorCode.INVALID_REQUEST, e.code());
    }

    @Test
    void updateNeedsCallIdAndSdp() {
        RpcException e = assertThrows(RpcException.class,
                () -> codec.decode("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"call.update\",\"params\":{\"callId\":\"c\"}}", true));
        assertEquals(ErrorCode.INVALID_PARAMS, e.code());
        assertEquals("sdp is required", e.getMessage());
    }

    @Test
    void requestWireShape() throws Exception {
        JsonNode wire = json.readTree(codec.request(
                new Request(IntNode.valueOf(1), Method.SESSION_LOGIN, new Params.Login("tok", null))));
        assertEquals("2.0", wire.get("jsonrpc").asText());
        assertEquals(1, wire.get("id").asInt());
        assertEquals("session.login", wire.get("method").asText());
        assertFalse(wire.get("params").has("device"), "null members are omitted");

        JsonNode ack = json.readTree(codec.request(new Request(null, Method.SESSION_ACK, new Params.Ack(3))));
        assertFalse(ack.has("id"), "a notification has no id");
        assertEquals("{}", json.readTree(codec.request(
                new Request(IntNode.valueOf(1), Method.SESSION_LOGOUT, new Params.Logout()))).get("params").toString());
    }

    @Test
    void idsArePreserved() {
        assertEquals(TextNode.valueOf("abc"),
                codec.decode("{\"jsonrpc\":\"2.0\",\"id\":\"abc\",\"method\":\"session.logout\"}").id());
        assertEquals(12345678901L,
                codec.decode("{\"jsonrpc\":\"2.0\",\"id\":12345678901,\"method\":\"session.logout\"}").id().longValue());
        Request explicitNull = codec.decode("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"session.logout\"}");
        assertEquals(NullNode.getInstance(), explicitNull.id());
        assertFalse(explicitNull.isNotification(), "an explicit null id still gets a response");
    }

    @Test
    void notificationHasNoId() {
        Request ack = codec.decode("{\"jsonrpc\":\"2.0\",\"method\":\"session.ack\",\"params\":{\"seq\":9}}");
        assertTrue(ack.isNotification());
        assertEquals(new Params.Ack(9), ack.params());
    }

    @Test
    void rejectCodeDefaultsTo486() {
        Request r = codec.decode("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"call.reject\",\"params\":{\"callId\":\"c\"}}");
        assertEquals(new Params.Reject("c", 486), r.params());
    }

    @Test
    void unknownParamsMembersAreIgnored() {
        Request r = codec.decode("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"call.hangup\","
                + "\"params\":{\"callId\":\"c\",\"reason\":{\"future\":[1,2]}}}");
        assertEquals(new Params.Hangup("c"), r.params());
    }

    @Test
    void logoutWithoutParams() {
        assertEquals(new Params.Logout(),
                codec.decode("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"session.logout\"}").params());
    }

    // ------------------------------------------------------------------ decode errors

    @ParameterizedTest
    @ValueSource(strings = {"{", "not json", "", "{\"jsonrpc\":\"2.0\"} trailing", "{\"id\":1,\"id\":2}"})
    void malformedJsonIsParseError(String text) {
        RpcException e = assertThrows(RpcException.class, () -> codec.decode(text));
        assertEquals(ErrorCode.PARSE_ERROR, e.code());
        assertNull(e.id());
    }

    @Test
    void invalidRequests() {
        assertInvalidRequest("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"session.logout\"}]", null, "batches");
        assertInvalidRequest("42", null, "object");
        assertInvalidRequest("{\"id\":1,\"method\":\"session.logout\"}", IntNode.valueOf(1), "jsonrpc");
        assertInvalidRequest("{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"session.logout\"}", IntNode.valueOf(1), "jsonrpc");
        assertInvalidRequest("{\"jsonrpc\":2.0,\"id\":1,\"method\":\"session.logout\"}", IntNode.valueOf(1), "jsonrpc");
        assertInvalidRequest("{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":7}", TextNode.valueOf("x"), "method");
        assertInvalidRequest("{\"jsonrpc\":\"2.0\",\"id\":\"x\"}", TextNode.valueOf("x"), "method");
        assertInvalidRequest("{\"jsonrpc\":\"2.0\",\"id\":{\"a\":1},\"method\":\"session.logout\"}", null, "id");
        assertInvalidRequest("{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"session.logout\"}", null, "id");
    }

    @Test
    void unknownMethodIsMethodNotFound() {
        RpcException e = assertThrows(RpcException.class,
                () -> codec.decode("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"call.park\",\"params\":{}}"));
        assertEquals(ErrorCode.METHOD_NOT_FOUND, e.code());
        assertEquals(IntNode.valueOf(7), e.id());
    }

    @Test
    void badParamsAreInvalidParamsNamingTheMember() {
        assertInvalidParams("session.login", "{}", "token");
        assertInvalidParams("session.login", "{\"token\":5}", "token");
        assertInvalidParams("session.login", "{\"token\":\"  \"}", "token");
        assertInvalidParams("session.login", "{\"token\":\"t\",\"device\":[]}", "device");
        assertInvalidParams("session.resume", "{\"resumeToken\":\"r\",\"lastSeq\":-1}", "lastSeq");
        assertInvalidParams("session.resume", "{\"resumeToken\":\"r\",\"lastSeq\":\"3\"}", "lastSeq");
        assertInvalidParams("session.resume", "{\"resumeToken\":\"r\",\"lastSeq\":1.5}", "lastSeq");
        assertInvalidParams("session.resume", "{\"resumeToken\":\"r\"}", "lastSeq");
        assertInvalidParams("session.ack", "{\"seq\":99999999999999999999999}", "seq");
        assertInvalidParams("call.invite", "{\"to\":\"bob\"}", "sdp");
        assertInvalidParams("call.invite", "{\"to\":\"bob\",\"sdp\":\"v=0\",\"headers\":{\"X\":1}}", "headers.X");
        assertInvalidParams("call.invite", "{\"to\":\"bob\",\"sdp\":\"v=0\",\"headers\":[\"X\"]}", "headers");
        assertInvalidParams("call.answer", "{\"callId\":\"c\",\"sdp\":null}", "sdp");
        assertInvalidParams("call.reject", "{\"callId\":\"c\",\"code\":399}", "code");
        assertInvalidParams("call.reject", "{\"callId\":\"c\",\"code\":700}", "code");
        assertInvalidParams("call.reject", "{\"callId\":\"c\",\"code\":\"486\"}", "code");
        assertInvalidParams("call.hangup", "{\"callId\":\"\"}", "callId");
        assertInvalidParams("call.hangup", "[\"c\"]", "params");
        assertInvalidParams("call.hangup", "\"c\"", "params");
    }

    @Test
    void qosReportStreamsAreCheckedMemberByMember() {
        assertInvalidParams("qos.report", "{\"streams\":[" + AUDIO_IN + "]}", "callId");
        assertInvalidParams("qos.report", "{\"callId\":\"c\"}", "streams");
        assertInvalidParams("qos.report", "{\"callId\":\"c\",\"streams\":[]}", "streams");
        assertInvalidParams("qos.report", "{\"callId\":\"c\",\"streams\":{}}", "streams");
        assertInvalidParams("qos.report", "{\"callId\":\"c\",\"streams\":["
                + String.join(",", Collections.nCopies(17, AUDIO_IN)) + "]}", "streams");
        assertInvalidStream("5", "streams[0]");
        assertInvalidStream("{\"direction\":\"inbound\"}", "streams[0].kind");
        assertInvalidStream("{\"kind\":\"data\",\"direction\":\"inbound\"}", "streams[0].kind");
        assertInvalidStream("{\"kind\":\"audio\",\"direction\":\"sideways\"}", "streams[0].direction");
        assertInvalidStream(withMember("codec", "7"), "streams[0].codec");
        assertInvalidStream(withMember("codec", "\"" + "x".repeat(33) + "\""), "streams[0].codec");
        assertInvalidStream(withMember("packets", "-1"), "streams[0].packets");
        assertInvalidStream(withMember("packets", "1.5"), "streams[0].packets");
        assertInvalidStream(withMember("bytes", "\"10\""), "streams[0].bytes");
        assertInvalidStream(withMember("packetsLost", "-2147483649"), "streams[0].packetsLost");
        assertInvalidStream(withMember("jitterMs", "-0.1"), "streams[0].jitterMs");
        assertInvalidStream(withMember("roundTripMs", "1e400"), "streams[0].roundTripMs");
        assertInvalidStream(withMember("mos", "0.9"), "streams[0].mos");
        assertInvalidStream(withMember("mos", "5.01"), "streams[0].mos");
        RpcException second = assertThrows(RpcException.class, () -> codec.decode(qosReport(AUDIO_IN + ","
                + withMember("mos", "6"))));
        assertTrue(second.getMessage().startsWith("streams[1].mos "), second.getMessage());
    }

    @Test
    void qosReportTakesTheLimitsAndLeavesOutWhatIsNotReported() {
        Params.QosReport report = (Params.QosReport) codec.decode(qosReport(
                withMember("packetsLost", "-2147483648") + "," + withMember("codec", "\"" + "x".repeat(32) + "\"")
                        + "," + withMember("mos", "1") + "," + withMember("mos", "5"))).params();
        assertEquals(-2_147_483_648L, report.streams().get(0).packetsLost());
        assertEquals(32, report.streams().get(1).codec().length());
        assertEquals(new Params.QosReport.Stream("audio", "inbound", null, null, null, null, null, null, 1.0),
                report.streams().get(2));
        assertEquals(16, ((Params.QosReport) codec.decode(qosReport(
                String.join(",", Collections.nCopies(16, AUDIO_IN)))).params()).streams().size());
        RpcException early = assertThrows(RpcException.class, () -> codec.decode(qosReport(AUDIO_IN), false));
        assertEquals(ErrorCode.UNAUTHORIZED, early.code(), "401 before login");
    }

    private static final String AUDIO_IN = "{\"kind\":\"audio\",\"direction\":\"inbound\"}";

    private static String withMember(String member, String value) {
        return "{\"kind\":\"audio\",\"direction\":\"inbound\",\"" + member + "\":" + value + "}";
    }

    private static String qosReport(String streams) {
        return "{\"jsonrpc\":\"2.0\",\"id\":\"p\",\"method\":\"qos.report\",\"params\":{\"callId\":\"c\","
                + "\"streams\":[" + streams + "]}}";
    }

    private void assertInvalidStream(String stream, String member) {
        assertInvalidParams("qos.report", "{\"callId\":\"c\",\"streams\":[" + stream + "]}", member);
    }

    @Test
    void badParamsOfNotificationCarryNoId() {
        RpcException e = assertThrows(RpcException.class,
                () -> codec.decode("{\"jsonrpc\":\"2.0\",\"method\":\"session.ack\",\"params\":{}}"));
        assertEquals(ErrorCode.INVALID_PARAMS, e.code());
        assertNull(e.id());
    }

    @Test
    void nestingDeeperThanTheLimitIsInvalidRequest() {
        // The request object is level 1 and params level 2; the array adds the rest.
        assertEquals(Method.SESSION_LOGOUT, codec.decode(nested(DEPTH)).method());
        RpcException e = assertThrows(RpcException.class, () -> codec.decode(nested(DEPTH + 1)));
        assertEquals(ErrorCode.INVALID_REQUEST, e.code());
        assertTrue(e.getMessage().contains("nesting depth " + DEPTH), e.getMessage());
    }

    @Test
    void messageBiggerThanTheLimitIsInvalidRequest() {
        String sdp = "é".repeat(MAX_BYTES / 2); // 2 bytes each in UTF-8: over the limit in bytes, not in chars
        RpcException e = assertThrows(RpcException.class, () -> codec.decode(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"call.answer\",\"params\":{\"callId\":\"c\",\"sdp\":\"" + sdp + "\"}}"));
        assertEquals(ErrorCode.INVALID_REQUEST, e.code());
        assertTrue(e.getMessage().contains("larger than"), e.getMessage());
    }

    // ------------------------------------------------------------------ responses

    @Test
    void everyResultRoundTrips() {
        List<Object> results = List.of(
                new Results.Login("s1", "rt1", new Results.Identity("alice", "sip:alice@localhost", "Alice"),
                        List.of(new Results.IceServer(List.of("turn:t.example:3478"), "u", "p"),
                                new Results.IceServer(List.of("stun:s.example"), null, null))),
                new Results.Login("s1", "rt1", new Results.Identity("alice", "sip:alice@localhost", null), List.of()),
                new Results.Resume("s1", 3),
                new Results.Invite("c1"),
                Results.Empty.INSTANCE);
        for (Object r : results) {
            assertEquals(r, codec.decodeResult(codec.result(IntNode.valueOf(1), r), r.getClass()));
        }
    }

    @Test
    void resultWireShape() throws Exception {
        JsonNode empty = json.readTree(codec.result(TextNode.valueOf("a"), Results.Empty.INSTANCE));
        assertEquals("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"result\":{}}", empty.toString());
        JsonNode login = json.readTree(codec.result(IntNode.valueOf(1), new Results.Login("s", "r",
                new Results.Identity("a", "sip:a@x", null), List.of(new Results.IceServer(List.of("stun:x"), null, null)))));
        assertFalse(login.at("/result/identity").has("displayName"));
        assertFalse(login.at("/result/iceServers/0").has("username"));
    }

    @Test
    void errorWireShape() throws Exception {
        JsonNode e = json.readTree(codec.error(null, ErrorCode.PARSE_ERROR, "malformed JSON"));
        assertEquals("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"malformed JSON\"}}",
                e.toString());
        JsonNode e401 = json.readTree(codec.error(IntNode.valueOf(4), ErrorCode.UNAUTHORIZED, "not logged in"));
        assertEquals(4, e401.get("id").asInt());
        assertEquals(401, e401.at("/error/code").asInt());
        assertEquals(NullNode.getInstance(),
                json.readTree(codec.error(NullNode.getInstance(), ErrorCode.BAD_REQUEST, "x")).get("id"));
    }

    @Test
    void errorResponseDecodes() {
        String frame = codec.error(TextNode.valueOf("q"), ErrorCode.BUSY_HERE, "busy");
        ProtocolCodec.DecodedResponse r = codec.decodeResponse(frame);
        assertTrue(r.isError());
        assertEquals(486, r.errorCode());
        assertEquals(TextNode.valueOf("q"), r.id());
        GatewayException e = assertThrows(GatewayException.class,
                () -> codec.decodeResult(frame, Results.Invite.class));
        assertEquals(ErrorCode.BUSY_HERE, e.code());
        assertEquals("busy", e.getMessage());
        assertFalse(codec.isEvent(frame));
    }

    // ------------------------------------------------------------------ events

    @Test
    void everyEventRoundTrips() {
        List<Event> events = List.of(
                new Event.CallIncoming("c1", "sip:bob@x", "Bob", "v=0", Map.of("X-A", "1")),
                new Event.CallIncoming("c1", "sip:bob@x", null, "v=0", null),
                new Event.CallProgress("c1", 180, "Ringing", null),
                new Event.CallProgress("c1", 183, "Session Progress", "v=0"),
                new Event.CallAccepted("c1", "v=0"),
                new Event.CallConfirmed("c1"),
                new Event.CallEnded("c1", 200, "OK", Event.By.REMOTE),
                new Event.CallEnded("c1", 487, "Request Terminated", Event.By.LOCAL),
                new Event.CallEnded("c1", 500, "media failure", Event.By.GATEWAY),
                new Event.RegistrationState("registered", 200, "registered", "2026-11-21T19:10:00Z"),
                new Event.RegistrationState("failed", 403, "Forbidden", null),
                new Event.RegistrationState("unregistered", null, "not registered", null));
        long seq = 1;
        for (Event e : events) {
            String frame = codec.event(e, seq);
            assertTrue(codec.isEvent(frame));
            assertEquals(new ProtocolCodec.DecodedEvent(e, seq), codec.decodeEvent(frame));
            seq++;
        }
    }

    @Test
    void eventWireShape() throws Exception {
        JsonNode ended = json.readTree(codec.event(new Event.CallEnded("c9", 486, "Busy Here", Event.By.REMOTE), 12));
        assertEquals("{\"jsonrpc\":\"2.0\",\"method\":\"call.ended\",\"params\":"
                + "{\"callId\":\"c9\",\"code\":486,\"reason\":\"Busy Here\",\"by\":\"remote\",\"seq\":12}}", ended.toString());
        JsonNode progress = json.readTree(codec.event(new Event.CallProgress("c9", 180, "Ringing", null), 1));
        assertFalse(progress.get("params").has("sdp"));
        assertFalse(progress.has("id"));
        JsonNode failed = json.readTree(codec.event(new Event.RegistrationState("failed", 401, "refused", null), 3));
        assertEquals("{\"jsonrpc\":\"2.0\",\"method\":\"registration.state\",\"params\":"
                + "{\"state\":\"failed\",\"code\":401,\"reason\":\"refused\",\"seq\":3}}", failed.toString());
    }

    // ------------------------------------------------------------------ helpers

    private void assertInvalidRequest(String text, JsonNode id, String mentions) {
        RpcException e = assertThrows(RpcException.class, () -> codec.decode(text), text);
        assertEquals(ErrorCode.INVALID_REQUEST, e.code(), text);
        assertEquals(id, e.id(), text);
        assertTrue(e.getMessage().contains(mentions), e.getMessage());
    }

    private void assertInvalidParams(String method, String params, String member) {
        String text = "{\"jsonrpc\":\"2.0\",\"id\":\"p\",\"method\":\"" + method + "\",\"params\":" + params + "}";
        RpcException e = assertThrows(RpcException.class, () -> codec.decode(text), text);
        assertEquals(ErrorCode.INVALID_PARAMS, e.code(), text);
        assertEquals(TextNode.valueOf("p"), e.id(), text);
        assertTrue(e.getMessage().startsWith(member + " "), text + " -> " + e.getMessage());
    }

    /** A session.logout whose JSON nests exactly {@code depth} levels. */
    private static String nested(int depth) {
        int arrays = depth - 2;
        return "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"session.logout\",\"params\":{\"deep\":"
                + "[".repeat(arrays) + "]".repeat(arrays) + "}}";
    }
}
