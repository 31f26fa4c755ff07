package dev.passerelle.gateway.signaling;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The JSON-RPC 2.0 wire format of protocol {@code passerelle.v1}, both directions, through one
 * configured {@link ObjectMapper}.
 *
 * <p>What decoding promises:
 *
 * <ul>
 *   <li>Input that is not JSON (including trailing garbage and duplicate keys) is -32700 with id
 *       null.
 *   <li>A message bigger than {@code maxMessageBytes} (UTF-8) or nested deeper than {@code
 *       maxNestingDepth} is -32600 with id null: it is refused before its id can be trusted.
 *   <li>A message that is JSON but not a valid request object (batch array, wrong {@code
 *       jsonrpc}, method not a string, id neither string, number nor null) is -32600, carrying the
 *       id when it was valid.
 *   <li>An unknown method is -32601 and bad params are -32602, both with the request's id, which
 *       is null exactly when the message was a notification (no {@code id} member). An explicit
 *       {@code "id":null} is kept as a {@link NullNode}, so it is answered with {@code "id":null}.
 *   <li>Unknown members of {@code params} are ignored, so that a newer client can talk to an older
 *       gateway; a known member of the wrong type, or a blank string where a value is required, is
 *       -32602 with a message naming the member.
 * </ul>
 *
 * <p>Output omits null members, except the {@code id} of a response, which JSON-RPC requires.
 */
public final class ProtocolCodec {

    private static final String VERSION = "2.0";
    private static final int MIN_REJECT_CODE = 400;
    private static final int MAX_REJECT_CODE = 699;
    private static final int DEFAULT_REJECT_CODE = 486;

    private final ObjectMapper mapper;
    private final int maxNestingDepth;
    private final int maxMessageBytes;

    public ProtocolCodec(int maxNestingDepth, int maxMessageBytes) {
        if (maxNestingDepth < 2) {
            throw new IllegalArgumentException("maxNestingDepth must be at least 2 (a request and its params)");
        }
        if (maxMessageBytes < 1) {
            throw new IllegalArgumentException("maxMessageBytes must be positive");
        }
        this.maxNestingDepth = maxNestingDepth;
        this.maxMessageBytes = maxMessageBytes;
        this.mapper = newMapper(maxNestingDepth, maxMessageBytes);
    }

    private static ObjectMapper newMapper(int maxNestingDepth, int maxMessageBytes) {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(maxNestingDepth)
                        // No string inside a message can be longer than the message itself.
                        .maxStringLength(maxMessageBytes)
                        .build())
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        SimpleModule wireNames = new SimpleModule("passerelle-wire-names")
                .addSerializer(Event.By.class, new BySerializer())
                .addDeserializer(Event.By.class, new ByDeserializer());
        return JsonMapper.builder(factory)
                .addModule(wireNames)
                .defaultPropertyInclusion(
                        JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.USE_DEFAULTS))
                // Forward compatibility: members this version does not know are ignored.
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                // Results.Empty and Params.Logout have no members and are written as {}.
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .build();
    }

    // ---------------------------------------------------------------- client to gateway: decode

    /** Decodes one message of a logged-in client; see {@link #decode(String, boolean)}. */
    public Request decode(String text) {
        return decode(text, true);
    }

    /**
     * Decodes one client message; throws {@link RpcException} as the class comment describes. The
     * checks run in the order the protocol promises: framing (-32700, -32600), then, for a client
     * not logged in, 401 for any method but {@code session.login} and {@code session.resume},
     * then the method (-32601) and its params (-32602).
     */
    public Request decode(String text, boolean loggedIn) {
        Inbound inbound = decodeInbound(text, loggedIn);
        if (inbound instanceof Request request) {
            return request;
        }
        throw new RpcException(ErrorCode.INVALID_REQUEST, "method must be a string",
                TextNode.valueOf(((Reply) inbound).id()));
    }

    /**
     * Like {@link #decode(String, boolean)}, and also accepts the client's response to a request
     * of the gateway: an object without {@code method} that has {@code result} or {@code error}.
     * Such a response must carry the string id of the gateway's request, exactly one of
     * {@code result} and {@code error}, and an error must be an object with an integer
     * {@code code} and, if any, a string {@code message}; otherwise it is -32600 with id null
     * (the id is not one the client may be answered with).
     */
    public Inbound decodeInbound(String text, boolean loggedIn) {
        if (utf8Length(text) > maxMessageBytes) {
            throw new RpcException(ErrorCode.INVALID_REQUEST,
                    "message larger than " + maxMessageBytes + " bytes", null);
        }
        JsonNode root = parse(text);
        if (root.isArray()) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, "batches are not supported", null);
        }
        if (!root.isObject()) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, "a message must be a JSON object", null);
        }
        if (!root.has("method") && (root.has("result") || root.has("error"))) {
            return reply(root);
        }
        JsonNode id = root.get("id");
        if (id != null && !(id.isTextual() || id.isNumber() || id.isNull())) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, "id must be a string, a number or null", null);
        }
        JsonNode version = root.get("jsonrpc");
        if (version == null || !version.isTextual() || !VERSION.equals(version.textValue())) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, "jsonrpc must be \"2.0\"", id);
        }
        JsonNode methodNode = root.get("method");
        if (methodNode == null || !methodNode.isTextual()) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, "method must be a string", id);
        }
        if (!loggedIn && Method.byWireName(methodNode.textValue()).map(Method::needsSession).orElse(true)) {
            throw new RpcException(ErrorCode.UNAUTHORIZED, "not logged in", id);
        }
        Method method = Method.byWireName(methodNode.textValue())
                .orElseThrow(() -> new RpcException(ErrorCode.METHOD_NOT_FOUND,
                        "unknown method " + methodNode.textValue(), id));
        JsonNode paramsNode = root.get("params");
        if (paramsNode != null && !paramsNode.isObject()) {
            throw new RpcException(ErrorCode.INVALID_PARAMS, "params must be an object", id);
        }
        ParamReader params = new ParamReader(paramsNode == null ? mapper.createObjectNode() : paramsNode, id);
        return new Request(id, method, params(method, params));
    }

    private static Reply reply(JsonNode root) {
        JsonNode version = root.get("jsonrpc");
        if (version == null || !version.isTextual() || !VERSION.equals(version.textValue())) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, "jsonrpc must be \"2.0\"", null);
        }
        JsonNode id = root.get("id");
        if (id == null || !id.isTextual()) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, "a response needs the string id of the gateway's request", null);
        }
        JsonNode result = root.get("result");
        JsonNode error = root.get("error");
        if (result != null && error != null) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, "a response has either result or error", null);
        }
        if (error == null) {
            return new Reply(id.textValue(), result, null, null);
        }
        JsonNode code = error.get("code");
        JsonNode message = error.get("message");
        if (!error.isObject() || code == null || !code.isIntegralNumber() || !code.canConvertToInt()
                || (message != null && !message.isNull() && !message.isTextual())) {
            throw new RpcException(ErrorCode.INVALID_REQUEST,
                    "error must be an object with an integer code and a string message", null);
        }
        return new Reply(id.textValue(), null, code.intValue(), message == null ? null : message.textValue());
    }

    private static Params params(Method method, ParamReader p) {
        return switch (method) {
            case SESSION_LOGIN -> new Params.Login(p.requiredText("token"), p.optionalText("device"));
            case SESSION_RESUME -> new Params.Resume(p.requiredText("resumeToken"), p.requiredSeq("lastSeq"));
            case SESSION_ACK -> new Params.Ack(p.requiredSeq("seq"));
            case SESSION_LOGOUT -> new Params.Logout();
            case CALL_INVITE -> new Params.Invite(p.requiredText("to"), p.requiredText("sdp"), p.optionalHeaders("headers"),
                    p.optionalText("referredBy"));
            case CALL_ANSWER -> new Params.Answer(p.requiredText("callId"), p.requiredText("sdp"));
            case CALL_REJECT -> new Params.Reject(p.requiredText("callId"),
                    p.optionalInt("code", MIN_REJECT_CODE, MAX_REJECT_CODE, DEFAULT_REJECT_CODE));
            case CALL_HANGUP -> new Params.Hangup(p.requiredText("callId"));
            case CALL_UPDATE -> new Params.Update(p.requiredText("callId"), p.requiredText("sdp"));
            case CALL_DTMF -> new Params.Dtmf(p.requiredText("callId"), p.tones("tones"),
                    p.optionalInt("durationMs", Params.Dtmf.MIN_DURATION_MS, Params.Dtmf.MAX_DURATION_MS,
                            Params.Dtmf.DEFAULT_DURATION_MS));
            case CALL_TRANSFER -> new Params.Transfer(p.requiredText("callId"), p.requiredText("to"));
            case QOS_REPORT -> new Params.QosReport(p.requiredText("callId"), p.streams("streams"));
            case MESSAGE_SEND -> new Params.MessageSend(p.requiredText("to"), p.messageBody("body"),
                    p.contentType("contentType"));
            case DATA_SEND -> new Params.DataSend(p.requiredText("to"), p.payload("payload"));
            case PRESENCE_PUBLISH -> new Params.PresencePublish(p.oneOf("status", Params.PresencePublish.STATUSES),
                    p.boundedText("note", Params.PresencePublish.MAX_NOTE));
            case PRESENCE_SUBSCRIBE, PRESENCE_UNSUBSCRIBE -> new Params.PresenceTarget(p.requiredText("to"));
        };
    }

    private JsonNode parse(String text) {
        try {
            JsonNode root = mapper.readTree(text);
            if (root == null || root.isMissingNode()) {
                throw new RpcException(ErrorCode.PARSE_ERROR, "empty message", null);
            }
            return root;
        } catch (StreamConstraintsException e) {
            throw new RpcException(ErrorCode.INVALID_REQUEST,
                    "message exceeds the limits (nesting depth " + maxNestingDepth + ", size "
                            + maxMessageBytes + " bytes)", null);
        } catch (JsonProcessingException e) {
            throw new RpcException(ErrorCode.PARSE_ERROR, "malformed JSON: " + e.getOriginalMessage(), null);
        }
    }

    /** Reads and checks the members of one {@code params} object, naming the member in each error. */
    private static final class ParamReader {
        private final JsonNode params;
        private final JsonNode id;

        ParamReader(JsonNode params, JsonNode id) {
            this.params = params;
            this.id = id;
        }

        String requiredText(String name) {
            JsonNode v = params.get(name);
            if (v == null || v.isNull()) {
                throw invalid(name + " is required");
            }
            if (!v.isTextual()) {
                throw invalid(name + " must be a string");
            }
            if (v.textValue().isBlank()) {
                throw invalid(name + " must not be blank");
            }
            return v.textValue();
        }

        String optionalText(String name) {
            JsonNode v = params.get(name);
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isTextual()) {
                throw invalid(name + " must be a string");
            }
            return v.textValue();
        }

        long requiredSeq(String name) {
            JsonNode v = params.get(name);
            if (v == null || v.isNull()) {
                throw invalid(name + " is required");
            }
            if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                throw invalid(name + " must be an integer");
            }
            if (v.longValue() < 0) {
                throw invalid(name + " must not be negative");
            }
            return v.longValue();
        }

        int optionalInt(String name, int min, int max, int absent) {
            JsonNode v = params.get(name);
            if (v == null || v.isNull()) {
                return absent;
            }
            if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                throw invalid(name + " must be an integer");
            }
            if (v.intValue() < min || v.intValue() > max) {
                throw invalid(name + " must be between " + min + " and " + max);
            }
            return v.intValue();
        }

        /** A required string that must be one of {@code allowed}, exactly. */
        String oneOf(String name, List<String> allowed) {
            String v = requiredText(name);
            if (!allowed.contains(v)) {
                throw invalid(name + " must be one of " + String.join(", ", allowed));
            }
            return v;
        }

        /** An optional string of at most {@code max} characters (code points). */
        String boundedText(String name, int max) {
            String v = optionalText(name);
            if (v != null && v.codePointCount(0, v.length()) > max) {
                throw invalid(name + " must be at most " + max + " characters");
            }
            return v;
        }

        /** DTMF tones as {@link Params.Dtmf} takes them: validated, letters upper-cased. */
        String tones(String name) {
            String tones = requiredText(name).toUpperCase(Locale.ROOT);
            if (tones.length() > Params.Dtmf.MAX_TONES || !tones.chars().allMatch(ParamReader::isTone)) {
                throw invalid(name + " must be 1 to " + Params.Dtmf.MAX_TONES + " of 0-9 * # A-D");
            }
            return tones;
        }

        // RFC 4733 §3.2: the sixteen DTMF events 0-9, *, #, A-D.
        private static boolean isTone(int c) {
            return (c >= '0' && c <= '9') || c == '*' || c == '#' || (c >= 'A' && c <= 'D');
        }

        String messageBody(String name) {
            String body = requiredText(name);
            if (Params.MessageSend.utf8Bytes(body) > Params.MessageSend.MAX_BODY_BYTES) {
                throw invalid(name + " must be at most " + Params.MessageSend.MAX_BODY_BYTES + " bytes of UTF-8");
            }
            return body;
        }

        String contentType(String name) {
            String type = optionalText(name);
            if (type == null) {
                return Params.MessageSend.DEFAULT_CONTENT_TYPE;
            }
            String refusal = Params.MessageSend.refusal(type);
            if (refusal != null) {
                throw invalid(name + " " + refusal);
            }
            return type.trim();
        }

        /** Any JSON value, null included, as long as it is present and small enough. */
        JsonNode payload(String name) {
            JsonNode v = params.get(name);
            if (v == null) {
                throw invalid(name + " is required");
            }
            if (utf8Length(v.toString()) > Params.DataSend.MAX_PAYLOAD_BYTES) {
                throw invalid(name + " must be at most " + Params.DataSend.MAX_PAYLOAD_BYTES + " bytes as JSON");
            }
            return v;
        }

        /** The {@code streams} of {@code qos.report}; each error names the entry and its member. */
        List<Params.QosReport.Stream> streams(String name) {
            JsonNode v = params.get(name);
            if (v == null || v.isNull()) {
                throw invalid(name + " is required");
            }
            if (!v.isArray() || v.isEmpty() || v.size() > Params.QosReport.MAX_STREAMS) {
                throw invalid(name + " must be an array of 1 to " + Params.QosReport.MAX_STREAMS + " streams");
            }
            List<Params.QosReport.Stream> streams = new ArrayList<>();
            for (int i = 0; i < v.size(); i++) {
                String at = name + "[" + i + "]";
                JsonNode s = v.get(i);
                if (!s.isObject()) {
                    throw invalid(at + " must be an object");
                }
                streams.add(new Params.QosReport.Stream(
                        oneOf(s, at, "kind", "audio", "video"),
                        oneOf(s, at, "direction", "inbound", "outbound"),
                        codec(s, at),
                        count(s, at, "packets", 0),
                        // RFC 3550 §6.4.1: the cumulative number of packets lost is a signed 24-bit
                        // count on the wire; browsers report it as a signed integer.
                        count(s, at, "packetsLost", Integer.MIN_VALUE),
                        count(s, at, "bytes", 0),
                        measure(s, at, "jitterMs", 0, Double.MAX_VALUE),
                        measure(s, at, "roundTripMs", 0, Double.MAX_VALUE),
                        measure(s, at, "mos", 1, 5)));
            }
            return streams;
        }

        private String oneOf(JsonNode stream, String at, String member, String first, String second) {
            JsonNode v = stream.get(member);
            if (v == null || v.isNull()) {
                throw invalid(at + "." + member + " is required");
            }
            if (!v.isTextual() || !(first.equals(v.textValue()) || second.equals(v.textValue()))) {
                throw invalid(at + "." + member + " must be " + first + " or " + second);
            }
            return v.textValue();
        }

        private String codec(JsonNode stream, String at) {
            JsonNode v = stream.get("codec");
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isTextual() || v.textValue().isBlank() || v.textValue().length() > Params.QosReport.MAX_CODEC_LENGTH) {
                throw invalid(at + ".codec must be a string of 1 to " + Params.QosReport.MAX_CODEC_LENGTH + " characters");
            }
            return v.textValue();
        }

        private Long count(JsonNode stream, String at, String member, long min) {
            JsonNode v = stream.get(member);
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < min) {
                throw invalid(at + "." + member + " must be an integer of at least " + min);
            }
            return v.longValue();
        }

        private Double measure(JsonNode stream, String at, String member, double min, double max) {
            JsonNode v = stream.get(member);
            if (v == null || v.isNull()) {
                return null;
            }
            double d = v.isNumber() ? v.doubleValue() : Double.NaN;
            if (!(d >= min && d <= max)) {
                throw invalid(at + "." + member + (max == Double.MAX_VALUE ? " must be a number of at least " + (long) min
                        : " must be a number from " + (long) min + " to " + (long) max));
            }
            return d;
        }

        Map<String, String> optionalHeaders(String name) {
            JsonNode v = params.get(name);
            if (v == null || v.isNull()) {
                return Map.of();
            }
            if (!v.isObject()) {
                throw invalid(name + " must be an object of strings");
            }
            Map<String, String> headers = new HashMap<>();
            for (Map.Entry<String, JsonNode> e : v.properties()) {
                if (!e.getValue().isTextual()) {
                    throw invalid(name + "." + e.getKey() + " must be a string");
                }
                headers.put(e.getKey(), e.getValue().textValue());
            }
            return headers;
        }

        private RpcException invalid(String message) {
            return new RpcException(ErrorCode.INVALID_PARAMS, message, id);
        }
    }

    // ---------------------------------------------------------------- gateway to client: write

    /** A response carrying a result record from {@link Results}. */
    public String result(JsonNode id, Object result) {
        return write(new ResultResponse(VERSION, id, result));
    }

    /** An error response; {@code id} null is written as {@code "id":null}. */
    public String error(JsonNode id, ErrorCode code, String message) {
        return write(new ErrorResponse(VERSION, id, new ErrorObject(code.rpcCode(), message)));
    }

    /** An event notification whose params are the event's members plus {@code seq}. */
    public String event(Event event, long seq) {
        ObjectNode params = mapper.valueToTree(event);
        params.put("seq", seq);
        return write(new Notification(VERSION, event.method(), params));
    }

    /** A request to a client, with the gateway's own string {@code id}; its response arrives as a {@link Reply}. */
    public String gatewayRequest(String id, String method, Object params) {
        return write(new Notification(VERSION, TextNode.valueOf(id), method, params));
    }

    /**
     * The result of a client's {@link Reply} as {@code type}, one of the {@link Results} records.
     * An error reply fails with a {@link GatewayException} of its code; a result that does not
     * fit {@code type} with {@link ErrorCode#INVALID_PARAMS}.
     */
    public <T> T replyResult(Reply reply, Class<T> type) {
        if (reply.isError()) {
            throw new GatewayException(errorCodeFor(reply.errorCode()),
                    "the client answered " + reply.errorCode() + ": " + reply.errorMessage());
        }
        return convert(reply.result(), type);
    }

    /** The body of {@code GET /health}. */
    public String health(Health health) {
        return write(health);
    }

    // ---------------------------------------------------------------- client side (test clients, load generator)

    /** A client request (or a notification when {@link Request#id()} is null). */
    public String request(Request request) {
        return write(new Notification(VERSION, request.id(), request.method().wireName(), request.params()));
    }

    /** An event a client received, with its sequence number. */
    public record DecodedEvent(Event event, long seq) {}

    /**
     * A response a client received: either {@code result} is set, or {@code errorCode} and
     * {@code errorMessage} are.
     */
    public record DecodedResponse(JsonNode id, JsonNode result, Integer errorCode, String errorMessage) {
        public boolean isError() {
            return errorCode != null;
        }
    }

    /** True when the frame is a notification from the gateway, false for a response or a request. */
    public boolean isEvent(String frame) {
        JsonNode root = parseObject(frame);
        return root.has("method") && (!root.has("id") || root.get("id").isNull());
    }

    /** A request of the gateway as a client received it. */
    public record GatewayRequest(JsonNode id, String method, Params.Update params) {}

    /** True when the frame is a request from the gateway, which the client must answer. */
    public boolean isGatewayRequest(String frame) {
        JsonNode root = parseObject(frame);
        return root.has("method") && root.has("id") && !root.get("id").isNull();
    }

    /** Decodes a request of the gateway; {@code call.update} is the only one this version sends. */
    public GatewayRequest decodeGatewayRequest(String frame) {
        JsonNode root = parseObject(frame);
        JsonNode method = root.get("method");
        JsonNode params = root.get("params");
        if (method == null || !method.isTextual() || !root.has("id") || params == null || !params.isObject()) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, "not a request of the gateway", null);
        }
        if (!Method.CALL_UPDATE.wireName().equals(method.textValue())) {
            throw new RpcException(ErrorCode.METHOD_NOT_FOUND, "unknown request " + method.textValue(), root.get("id"));
        }
        return new GatewayRequest(root.get("id"), method.textValue(), convert(params, Params.Update.class));
    }

    /** Decodes an event notification; fails with -32600 or -32601 when the frame is not one. */
    public DecodedEvent decodeEvent(String frame) {
        JsonNode root = parseObject(frame);
        JsonNode method = root.get("method");
        JsonNode params = root.get("params");
        if (method == null || !method.isTextual() || params == null || !params.isObject()
                || !params.path("seq").canConvertToLong()) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, "not an event notification", null);
        }
        Class<? extends Event> type = eventType(method.textValue());
        ObjectNode members = ((ObjectNode) params).deepCopy();
        long seq = members.remove("seq").longValue();
        return new DecodedEvent(convert(members, type), seq);
    }

    /** Decodes a response. */
    public DecodedResponse decodeResponse(String frame) {
        JsonNode root = parseObject(frame);
        JsonNode id = root.has("id") ? root.get("id") : null;
        JsonNode error = root.get("error");
        if (error != null && error.isObject() && error.path("code").canConvertToInt()) {
            return new DecodedResponse(id, null, error.get("code").intValue(), error.path("message").asText(null));
        }
        JsonNode result = root.get("result");
        if (result == null) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, "not a response", id);
        }
        return new DecodedResponse(id, result, null, null);
    }

    /**
     * Decodes the result of a response as one of the {@link Results} records; an error response
     * fails with a {@link GatewayException} carrying its code and message.
     */
    public <T> T decodeResult(String frame, Class<T> type) {
        DecodedResponse response = decodeResponse(frame);
        if (response.isError()) {
            throw new GatewayException(errorCodeFor(response.errorCode()), response.errorMessage());
        }
        return convert(response.result(), type);
    }

    private static Class<? extends Event> eventType(String method) {
        return switch (method) {
            case "call.incoming" -> Event.CallIncoming.class;
            case "call.progress" -> Event.CallProgress.class;
            case "call.accepted" -> Event.CallAccepted.class;
            case "call.confirmed" -> Event.CallConfirmed.class;
            case "call.ended" -> Event.CallEnded.class;
            case "registration.state" -> Event.RegistrationState.class;
            case "call.dtmf" -> Event.CallDtmf.class;
            case "call.transferred" -> Event.CallTransferred.class;
            case "call.referred" -> Event.CallReferred.class;
            case "message.received" -> Event.MessageReceived.class;
            case "message.status" -> Event.MessageStatus.class;
            case "data.received" -> Event.DataReceived.class;
            case "presence.update" -> Event.PresenceUpdate.class;
            default -> throw new RpcException(ErrorCode.METHOD_NOT_FOUND, "unknown event " + method, null);
        };
    }

    private static ErrorCode errorCodeFor(int rpcCode) {
        for (ErrorCode c : ErrorCode.values()) {
            if (c.rpcCode() == rpcCode) {
                return c;
            }
        }
        return ErrorCode.forSipStatus(rpcCode);
    }

    private JsonNode parseObject(String frame) {
        JsonNode root = parse(frame);
        if (!root.isObject()) {
            throw new RpcException(ErrorCode.INVALID_REQUEST, "a message must be a JSON object", null);
        }
        return root;
    }

    private <T> T convert(JsonNode node, Class<T> type) {
        try {
            return mapper.treeToValue(node, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new RpcException(ErrorCode.INVALID_PARAMS,
                    "cannot read " + type.getSimpleName() + ": " + e.getMessage(), null);
        }
    }

    private String write(Object message) {
        try {
            return mapper.writeValueAsString(message);
        } catch (JsonProcessingException e) {
            // Only our own records are written; failing here is a programming error.
            throw new IllegalStateException("cannot write " + message.getClass().getSimpleName(), e);
        }
    }

    private static long utf8Length(String s) {
        long bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    // ---------------------------------------------------------------- wire records

    private record ResultResponse(String jsonrpc, @JsonInclude(JsonInclude.Include.ALWAYS) JsonNode id, Object result) {}

    private record ErrorResponse(String jsonrpc, @JsonInclude(JsonInclude.Include.ALWAYS) JsonNode id, ErrorObject error) {}

    private record ErrorObject(int code, String message) {}

    /** A notification, or a request when {@code id} is set. */
    private record Notification(String jsonrpc, JsonNode id, String method, Object params) {
        Notification(String jsonrpc, String method, Object params) {
            this(jsonrpc, null, method, params);
        }
    }

    private static final class BySerializer extends JsonSerializer<Event.By> {
        @Override
        public void serialize(Event.By value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
            gen.writeString(value.wire());
        }
    }

    private static final class ByDeserializer extends JsonDeserializer<Event.By> {
        @Override
        public Event.By deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String wire = p.getValueAsString();
            for (Event.By by : Event.By.values()) {
                if (by.wire().equals(wire)) {
                    return by;
                }
            }
            return (Event.By) ctxt.handleWeirdStringValue(Event.By.class, wire, "expected local, remote or gateway");
        }
    }
}
