package dev.passerelle.gateway.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PidfTest {

    static String pidf(String basic, String activity, String note) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" xmlns:dm=\"urn:ietf:params:xml:ns:pidf:data-model\""
                + " xmlns:rpid=\"urn:ietf:params:xml:ns:pidf:rpid\" entity=\"sip:bob@far.test\">"
                + "<tuple id=\"t1\"><status><basic>" + basic + "</basic></status></tuple>"
                + (activity == null ? "" : "<dm:person id=\"p1\"><rpid:activities><rpid:" + activity
                        + "/></rpid:activities></dm:person>")
                + (note == null ? "" : "<note>" + note + "</note>")
                + "</presence>";
    }

    @Test
    void basicAndActivitiesMapToTheFourStates() {
        assertEquals(new Pidf.Presence(PresenceStatus.AVAILABLE, null), Pidf.parse(pidf("open", null, null)));
        assertEquals(new Pidf.Presence(PresenceStatus.BUSY, "In a call"),
                Pidf.parse(pidf("open", "on-the-phone", "In a call")));
        assertEquals(PresenceStatus.BUSY, Pidf.parse(pidf("open", "meeting", null)).status());
        assertEquals(PresenceStatus.AWAY, Pidf.parse(pidf("open", "away", null)).status());
        assertEquals(PresenceStatus.AWAY, Pidf.parse(pidf("open", "vacation", null)).status());
        assertEquals(PresenceStatus.AVAILABLE, Pidf.parse(pidf("open", "working", null)).status());
        assertEquals(new Pidf.Presence(PresenceStatus.OFFLINE, "gone"), Pidf.parse(pidf("closed", "busy", "gone")));
    }

    @Test
    void anyOpenTupleMakesThePresentityReachable() {
        String two = pidf("closed", null, null).replace("</tuple>",
                "</tuple><tuple id=\"t2\"><status><basic>open</basic></status></tuple>");
        assertEquals(PresenceStatus.AVAILABLE, Pidf.parse(two).status());
        String none = "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:bob@far.test\"/>";
        assertEquals(PresenceStatus.OFFLINE, Pidf.parse(none).status());
    }

    @Test
    void theNoteIsTrimmedAndBounded() {
        assertEquals("hi there", Pidf.parse(pidf("open", null, "  hi\nthere ")).note().replace("  ", " "));
        assertEquals(Pidf.MAX_NOTE, Pidf.parse(pidf("open", null, "x".repeat(1000))).note().length());
        assertNull(Pidf.parse(pidf("open", null, "   ")).note());
    }

    @Test
    void malformedOrForeignDocumentsAreRefused() {
        for (String bad : new String[] {"", "not xml", "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\">",
                "<presence xmlns=\"urn:other\"/>", "<tuple/>"}) {
            GatewayException e = assertThrows(GatewayException.class, () -> Pidf.parse(bad), bad);
            assertEquals(ErrorCode.BAD_REQUEST, e.code());
        }
    }

    @Test
    void externalEntitiesAndDoctypesAreRefused(@TempDir Path dir) throws Exception {
        Path secret = dir.resolve("secret.txt");
        Files.writeString(secret, "TOP-SECRET");
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE presence [<!ENTITY x SYSTEM \"" + secret.toUri() + "\">]>"
                + pidf("open", null, "&x;").replaceFirst("<\\?xml[^>]*>\n", "");
        GatewayException e = assertThrows(GatewayException.class, () -> Pidf.parse(xxe));
        assertEquals(ErrorCode.BAD_REQUEST, e.code());
        assertTrue(!e.getMessage().contains("TOP-SECRET"), e.getMessage());
        String billion = "<?xml version=\"1.0\"?><!DOCTYPE presence [<!ENTITY a \"aaaaaaaaaa\">"
                + "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
                + pidf("open", null, "&b;").replaceFirst("<\\?xml[^>]*>\n", "");
        assertThrows(GatewayException.class, () -> Pidf.parse(billion));
    }

    @Test
    void whatIsBuiltReadsBackTheSameState() {
        for (PresenceStatus status : PresenceStatus.values()) {
            for (String note : new String[] {null, "a <b> & \"c\" 'd'"}) {
                String doc = Pidf.build("sip:alice@ims.test", status, note);
                assertEquals(new Pidf.Presence(status, note), Pidf.parse(doc), doc);
            }
        }
        assertTrue(Pidf.build("sip:a@b", PresenceStatus.OFFLINE, null).contains("<basic>closed</basic>"));
        assertTrue(Pidf.build("sip:a@b", PresenceStatus.BUSY, null).contains("<rpid:busy/>"));
    }
}
