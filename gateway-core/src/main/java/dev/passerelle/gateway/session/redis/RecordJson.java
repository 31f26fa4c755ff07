package dev.passerelle.gateway.session.redis;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import dev.passerelle.gateway.session.CallRecord;
import dev.passerelle.gateway.session.SessionRecord;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;

/**
 * The JSON form of the records kept in Redis. An {@link Instant} is an ISO-8601 string
 * ({@code Instant.toString()}), which keeps nanoseconds and reads back equal; jackson-datatype-jsr310
 * is not on the class path, and two small (de)serializers are all it would bring here. Unknown
 * properties are ignored, so a node can read what a newer node wrote during a rolling upgrade.
 */
final class RecordJson {
    private final ObjectMapper mapper;

    RecordJson() {
        SimpleModule instants = new SimpleModule("passerelle-instant")
                .addSerializer(Instant.class, new InstantSerializer())
                .addDeserializer(Instant.class, new InstantDeserializer());
        mapper = JsonMapper.builder()
                .addModule(instants)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build();
    }

    String write(Object record) {
        try {
            return mapper.writeValueAsString(record);
        } catch (JsonProcessingException e) {
            throw new GatewayException(ErrorCode.INTERNAL_ERROR, "cannot serialize " + record.getClass().getSimpleName(), e);
        }
    }

    SessionRecord session(String json) {
        return read(json, SessionRecord.class);
    }

    CallRecord call(String json) {
        return read(json, CallRecord.class);
    }

    private <T> T read(String json, Class<T> type) {
        try {
            return mapper.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new GatewayException(ErrorCode.INTERNAL_ERROR, "unreadable " + type.getSimpleName() + " in Redis", e);
        }
    }

    private static final class InstantSerializer extends StdSerializer<Instant> {
        InstantSerializer() {
            super(Instant.class);
        }

        @Override
        public void serialize(Instant value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeString(value.toString());
        }
    }

    private static final class InstantDeserializer extends StdDeserializer<Instant> {
        InstantDeserializer() {
            super(Instant.class);
        }

        @Override
        public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String text = p.getValueAsString();
            try {
                return Instant.parse(text);
            } catch (DateTimeException e) {
                return (Instant) ctxt.handleWeirdStringValue(Instant.class, text, "not an ISO-8601 instant");
            }
        }
    }
}
