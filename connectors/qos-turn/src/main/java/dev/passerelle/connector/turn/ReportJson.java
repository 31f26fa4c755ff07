package dev.passerelle.connector.turn;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.passerelle.connector.spi.QualityReport;
import dev.passerelle.connector.spi.StreamQuality;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The body of one POST to the QoS server, written with Jackson's streaming generator:
 *
 * <pre>{@code
 * {"reports":[{"callId":"…","user":"alice","node":"node-a","receivedAt":"2025-01-01T10:00:00Z",
 *   "streams":[{"kind":"audio","direction":"inbound","codec":"opus","packets":1500,"packetsLost":3,
 *               "bytes":240000,"jitterMs":4.5,"roundTripMs":38.0,"mos":4.3}]}]}
 * }</pre>
 *
 * {@code receivedAt} is ISO-8601 in UTC ({@link java.time.Instant#toString()}); a figure the
 * browser did not report is left out, never written as null.
 */
final class ReportJson {
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private ReportJson() {}

    static byte[] batch(List<QualityReport> reports) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 * reports.size());
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("reports");
            for (QualityReport r : reports) {
                g.writeStartObject();
                g.writeStringField("callId", r.callId());
                g.writeStringField("user", r.user());
                g.writeStringField("node", r.node());
                g.writeStringField("receivedAt", r.receivedAt().toString());
                g.writeArrayFieldStart("streams");
                for (StreamQuality s : r.streams()) {
                    stream(g, s);
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return out.toByteArray();
    }

    private static void stream(JsonGenerator g, StreamQuality s) throws IOException {
        g.writeStartObject();
        g.writeStringField("kind", s.kind());
        g.writeStringField("direction", s.direction());
        if (s.codec() != null) {
            g.writeStringField("codec", s.codec());
        }
        whole(g, "packets", s.packets());
        whole(g, "packetsLost", s.packetsLost());
        whole(g, "bytes", s.bytes());
        decimal(g, "jitterMs", s.jitterMs());
        decimal(g, "roundTripMs", s.roundTripMs());
        decimal(g, "mos", s.mos());
        g.writeEndObject();
    }

    private static void whole(JsonGenerator g, String name, Long value) throws IOException {
        if (value != null) {
            g.writeNumberField(name, value.longValue());
        }
    }

    private static void decimal(JsonGenerator g, String name, Double value) throws IOException {
        if (value != null) {
            g.writeNumberField(name, value.doubleValue());
        }
    }
}
