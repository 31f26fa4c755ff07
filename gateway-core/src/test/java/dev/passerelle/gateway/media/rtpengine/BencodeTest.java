package dev.passerelle.gateway.media.rtpengine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.media.rtpengine.Bencode.BencodeException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BencodeTest {

    private static final int LIMIT = 65_535;

    private static String encoded(Object value) {
        return new String(Bencode.encode(value), StandardCharsets.UTF_8);
    }

    private static Object decoded(String text) {
        return Bencode.decode(text.getBytes(StandardCharsets.UTF_8), LIMIT);
    }

    @Test
    void encodesTheNgPingAsRtpengineDocumentsIt() {
        assertEquals("d7:command4:pinge", encoded(Map.of("command", "ping")));
    }

    @Test
    void encodesEveryType() {
        assertEquals("0:", encoded(""));
        assertEquals("4:spam", encoded("spam"));
        assertEquals("3:abc", encoded(new byte[] {'a', 'b', 'c'}));
        assertEquals("i0e", encoded(0));
        assertEquals("i-42e", encoded(-42L));
        assertEquals("i9223372036854775807e", encoded(Long.MAX_VALUE));
        assertEquals("le", encoded(List.of()));
        assertEquals("l4:spami7ee", encoded(List.of("spam", 7)));
        assertEquals("de", encoded(Map.of()));
        // "é" is two bytes in UTF-8: the length counts bytes, not characters.
        assertEquals("2:é", encoded("é"));
    }

    @Test
    void sortsDictionaryKeysByRawBytes() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("to-tag", "b");
        map.put("call-id", "c");
        map.put("ICE", "remove");
        map.put("é", 1);
        map.put("from-tag", "a");
        // Upper case sorts before lower case and the two-byte "é" (0xC3 0xA9) after every ASCII key.
        assertEquals("d3:ICE6:remove7:call-id1:c8:from-tag1:a6:to-tag1:b2:éi1ee", encoded(map));
    }

    @Test
    void refusesWhatBencodingCannotHold() {
        assertThrows(IllegalArgumentException.class, () -> Bencode.encode(null));
        assertThrows(IllegalArgumentException.class, () -> Bencode.encode(1.5));
        assertThrows(IllegalArgumentException.class, () -> Bencode.encode(Map.of(1, "x")));
        assertEquals("l".repeat(Bencode.MAX_DEPTH) + "e".repeat(Bencode.MAX_DEPTH), encoded(nested(Bencode.MAX_DEPTH)));
        assertThrows(IllegalArgumentException.class, () -> Bencode.encode(nested(Bencode.MAX_DEPTH + 1)));
    }

    /** {@code levels} lists, each the only item of the one around it. */
    private static List<Object> nested(int levels) {
        List<Object> outer = new ArrayList<>();
        List<Object> inner = outer;
        for (int i = 1; i < levels; i++) {
            List<Object> next = new ArrayList<>();
            inner.add(next);
            inner = next;
        }
        return outer;
    }

    @Test
    void decodesNestedValues() {
        Object value = decoded("d6:result2:ok4:tagsd3:webd6:mediasld5:statsd7:packetsi10eeeeee4:warnl1:a1:bee");
        Map<?, ?> reply = (Map<?, ?>) value;
        assertEquals("ok", reply.get("result"));
        assertEquals(List.of("a", "b"), reply.get("warn"));
        Map<?, ?> web = (Map<?, ?>) ((Map<?, ?>) reply.get("tags")).get("web");
        Map<?, ?> media = (Map<?, ?>) ((List<?>) web.get("medias")).get(0);
        assertEquals(10L, ((Map<?, ?>) media.get("stats")).get("packets"));
    }

    @Test
    void acceptsUnsortedKeysBecauseRtpengineDoesNotSortItsReplies() {
        assertEquals(Map.of("warning", "w", "result", "ok"), decoded("d7:warning1:w6:result2:oke"));
    }

    @Test
    void roundTripsAnNgOffer() {
        Map<String, Object> offer = new LinkedHashMap<>();
        offer.put("command", "offer");
        offer.put("sdp", "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n");
        offer.put("flags", List.of("trust-address", "generate-mid"));
        offer.put("replace", List.of("origin"));
        offer.put("delete delay", 0L);
        byte[] bytes = Bencode.encode(offer);
        assertEquals(offer, Bencode.decode(bytes, LIMIT));
        assertArrayEquals(bytes, Bencode.encode(Bencode.decode(bytes, LIMIT)));
    }

    @Test
    void decodesTheExtremeIntegers() {
        assertEquals(Long.MIN_VALUE, decoded("i-9223372036854775808e"));
        assertEquals(Long.MAX_VALUE, decoded("i9223372036854775807e"));
        assertEquals(0L, decoded("i0e"));
    }

    @Test
    void decodesARangeOfALargerBuffer() {
        byte[] datagram = "cookie d6:result4:ponge".getBytes(StandardCharsets.US_ASCII);
        assertEquals(Map.of("result", "pong"), Bencode.decode(datagram, 7, datagram.length - 7, LIMIT));
    }

    @ParameterizedTest(name = "[{index}] {0} → {1}")
    @CsvSource(delimiter = '|', value = {
        "''                         | truncated input",
        "i42                        | truncated input",
        "4:spa                      | runs past the end",
        "l4:spam                    | truncated input",
        "d3:key                     | truncated input",
        "d3:keye                    | unexpected byte 0x65",
        "i-0e                       | negative zero",
        "i042e                      | leading zero",
        "04:spam                    | leading zero",
        "ie                         | without digits",
        "i-e                        | without digits",
        "i1.5e                      | unexpected byte 0x2e",
        "-1:a                       | unexpected byte 0x2d",
        "i9223372036854775808e      | does not fit in 64 bits",
        "i-9223372036854775809e     | does not fit in 64 bits",
        "99999999999999999999:x     | does not fit in 64 bits",
        "di1e1:ae                   | key must be a byte string",
        "d1:ai1e1:ai2ee             | duplicate dictionary key 'a'",
        "i1ei2e                     | bytes after the value",
        "4:spamx                    | bytes after the value",
        "x                          | unexpected byte 0x78",
    })
    void refusesMalformedInputWithAClearReason(String input, String reason) {
        BencodeException e = assertThrows(BencodeException.class, () -> decoded(input));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
        assertEquals(ErrorCode.INTERNAL_ERROR, e.code());
    }

    @Test
    void refusesInvalidUtf8() {
        byte[] input = {'2', ':', (byte) 0xC3, (byte) 0x28};
        BencodeException e = assertThrows(BencodeException.class, () -> Bencode.decode(input, LIMIT));
        assertTrue(e.getMessage().contains("not valid UTF-8"), e.getMessage());
    }

    @Test
    void refusesOversizedInputBeforeReadingIt() {
        byte[] input = ("10:" + "x".repeat(10)).getBytes(StandardCharsets.US_ASCII);
        assertEquals("x".repeat(10), Bencode.decode(input, input.length));
        BencodeException e = assertThrows(BencodeException.class, () -> Bencode.decode(input, input.length - 1));
        assertTrue(e.getMessage().contains("exceeds the limit of 12"), e.getMessage());
    }

    @Test
    void refusesNestingDeeperThanTheLimit() {
        String ok = "l".repeat(Bencode.MAX_DEPTH) + "e".repeat(Bencode.MAX_DEPTH);
        decoded(ok);
        String deep = "l".repeat(Bencode.MAX_DEPTH + 1) + "e".repeat(Bencode.MAX_DEPTH + 1);
        BencodeException e = assertThrows(BencodeException.class, () -> decoded(deep));
        assertTrue(e.getMessage().contains("nested deeper than " + Bencode.MAX_DEPTH), e.getMessage());
    }

    @Test
    void decodedCollectionsCannotBeChanged() {
        Map<?, ?> map = (Map<?, ?>) decoded("d1:al1:bee");
        assertThrows(UnsupportedOperationException.class, map::clear);
        assertThrows(UnsupportedOperationException.class, ((List<?>) map.get("a"))::clear);
    }
}
