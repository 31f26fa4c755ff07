package dev.passerelle.gateway.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The dialog snapshot is plain data: it survives a JSON round trip and cannot be changed from outside. */
class SipDialogTest {

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private static SipDialog dialog(List<String> routes, String localSdp) {
        return new SipDialog("c1@host", "lt", "rt", "\"Alice\" <sip:alice@example.com>", "<sip:bob@pstn.test>", 3, 7,
                routes, "sip:bob@192.0.2.1:5060;transport=udp", "udp", localSdp, null);
    }

    @Test
    void jsonRoundTripKeepsEveryField() throws Exception {
        SipDialog d = dialog(List.of("<sip:p1.test;lr>", "<sip:p2.test;lr>"), "v=0\r\n");
        String json = JSON.writeValueAsString(d);
        assertEquals(d, JSON.readValue(json, SipDialog.class));
        assertEquals(List.of("sipCallId", "localTag", "remoteTag", "localParty", "remoteParty", "localCseq",
                "remoteCseq", "routeSet", "remoteTarget", "transport", "localSdp", "remoteSdp"),
                iterable(JSON.readTree(json).fieldNames()), "record components only, in order");
    }

    @Test
    void routeSetIsCopiedAndAbsentMeansEmpty() {
        List<String> routes = new ArrayList<>(List.of("<sip:p1.test;lr>"));
        SipDialog d = dialog(routes, null);
        routes.add("<sip:p2.test;lr>");
        assertEquals(List.of("<sip:p1.test;lr>"), d.routeSet());
        assertThrows(UnsupportedOperationException.class, () -> d.routeSet().add("x"));
        assertEquals(List.of(), dialog(null, null).routeSet());
    }

    @Test
    void requiredFieldsAreChecked() {
        assertThrows(NullPointerException.class, () -> new SipDialog(null, "lt", "rt", "<sip:a@x>", "<sip:b@y>", 1, 0,
                List.of(), "sip:b@y", "udp", null, null));
        assertThrows(NullPointerException.class, () -> new SipDialog("c", "lt", null, "<sip:a@x>", "<sip:b@y>", 1, 0,
                List.of(), "sip:b@y", "udp", null, null));
        assertThrows(NullPointerException.class, () -> new SipDialog("c", "lt", "rt", "<sip:a@x>", "<sip:b@y>", 1, 0,
                List.of(), null, "udp", null, null));
    }

    @Test
    void withersChangeOneFieldEach() {
        SipDialog d = dialog(List.of(), "v=0\r\n");
        assertEquals(4, d.withLocalCseq(4).localCseq());
        assertEquals(8, d.withRemoteCseq(8).remoteCseq());
        assertEquals("sip:bob@198.51.100.2", d.withRemoteTarget("sip:bob@198.51.100.2").remoteTarget());
        assertEquals("v=1\r\n", d.withRemoteSdp("v=1\r\n").remoteSdp());
        assertEquals(d, d.withLocalCseq(4).withLocalCseq(3));
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
