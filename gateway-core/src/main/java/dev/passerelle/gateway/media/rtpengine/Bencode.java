package dev.passerelle.gateway.media.rtpengine;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Bencoding (BEP 3), the dictionary format of rtpengine's ng protocol.
 *
 * <p>Values map to Java as: byte string ⇄ {@link String} (UTF-8; {@code byte[]} is also accepted
 * when encoding), integer ⇄ {@link Long} (any {@code Integer}, {@code Short} or {@code Byte}
 * encodes too), list ⇄ {@link List}, dictionary ⇄ {@link Map} with {@link String} keys.
 *
 * <p>The encoder writes dictionary keys in the raw-byte order BEP 3 requires. The decoder is
 * strict about syntax (no leading zeros, no {@code -0}, no trailing bytes, no duplicate key,
 * well-formed UTF-8) but accepts keys in any order, because rtpengine does not sort the keys of
 * its replies. It is bounded: input above {@code maxBytes} is refused before it is read, nesting
 * is limited to {@link #MAX_DEPTH}, and a length or an integer that runs past the end of the input
 * is an error, never a read beyond it.
 */
final class Bencode {

    /** Lists and dictionaries nest at most this deep; an ng message needs three or four. */
    static final int MAX_DEPTH = 32;

    private Bencode() {}

    /** Thrown for input that is not one complete, well-formed bencoded value within the limits. */
    static final class BencodeException extends GatewayException {
        private static final long serialVersionUID = 1L;

        BencodeException(String message) {
            super(ErrorCode.INTERNAL_ERROR, "bencode: " + message);
        }
    }

    // ---- encoding -------------------------------------------------------------------------------

    /**
     * Encodes {@code value}; throws {@link IllegalArgumentException} for a type bencoding has no
     * form for (null, floating point, a map key that is not a String ...).
     */
    static byte[] encode(Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        write(out, value, 0);
        return out.toByteArray();
    }

    private static void write(ByteArrayOutputStream out, Object value, int depth) {
        if ((value instanceof List || value instanceof Map) && depth >= MAX_DEPTH) {
            throw new IllegalArgumentException("bencode: nested deeper than " + MAX_DEPTH);
        }
        if (value instanceof String s) {
            writeBytes(out, s.getBytes(StandardCharsets.UTF_8));
        } else if (value instanceof byte[] b) {
            writeBytes(out, b);
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            ascii(out, "i" + ((Number) value).longValue() + "e");
        } else if (value instanceof List<?> list) {
            out.write('l');
            for (Object item : list) {
                write(out, item, depth + 1);
            }
            out.write('e');
        } else if (value instanceof Map<?, ?> map) {
            writeDictionary(out, map, depth);
        } else {
            throw new IllegalArgumentException("bencode: cannot encode "
                    + (value == null ? "null" : value.getClass().getName()));
        }
    }

    private static void writeDictionary(ByteArrayOutputStream out, Map<?, ?> map, int depth) {
        List<Map.Entry<byte[], Object>> entries = new ArrayList<>(map.size());
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw new IllegalArgumentException("bencode: a dictionary key must be a String, not "
                        + (e.getKey() == null ? "null" : e.getKey().getClass().getName()));
            }
            entries.add(Map.entry(key.getBytes(StandardCharsets.UTF_8), e.getValue()));
        }
        // BEP 3: keys appear sorted as raw strings (unsigned byte order), not by code point.
        entries.sort((a, b) -> Arrays.compareUnsigned(a.getKey(), b.getKey()));
        out.write('d');
        for (Map.Entry<byte[], Object> e : entries) {
            writeBytes(out, e.getKey());
            write(out, e.getValue(), depth + 1);
        }
        out.write('e');
    }

    private static void writeBytes(ByteArrayOutputStream out, byte[] bytes) {
        ascii(out, bytes.length + ":");
        out.writeBytes(bytes);
    }

    private static void ascii(ByteArrayOutputStream out, String text) {
        out.writeBytes(text.getBytes(StandardCharsets.US_ASCII));
    }

    // ---- decoding -------------------------------------------------------------------------------

    /** Decodes the whole of {@code data}, which must hold exactly one value. */
    static Object decode(byte[] data, int maxBytes) {
        return decode(data, 0, data.length, maxBytes);
    }

    /**
     * Decodes {@code data[offset, offset + length)}, which must hold exactly one value and be at
     * most {@code maxBytes} long.
     */
    static Object decode(byte[] data, int offset, int length, int maxBytes) {
        if (offset < 0 || length < 0 || offset > data.length - length) {
            throw new IllegalArgumentException("bencode: range " + offset + "+" + length + " outside the array");
        }
        if (length > maxBytes) {
            throw new BencodeException("input of " + length + " bytes exceeds the limit of " + maxBytes);
        }
        Reader reader = new Reader(data, offset, offset + length);
        Object value = reader.value(0);
        if (reader.pos != reader.end) {
            throw new BencodeException((reader.end - reader.pos) + " bytes after the value at offset "
                    + (reader.pos - offset));
        }
        return value;
    }

    private static final class Reader {
        private final byte[] data;
        private final int start;
        private final int end;
        private int pos;

        Reader(byte[] data, int start, int end) {
            this.data = data;
            this.start = start;
            this.end = end;
            this.pos = start;
        }

        Object value(int depth) {
            byte b = peek();
            if (b == 'i') {
                pos++;
                return integer('e');
            }
            if (b == 'l' || b == 'd') {
                if (depth >= MAX_DEPTH) {
                    throw error("nested deeper than " + MAX_DEPTH);
                }
                pos++;
                return b == 'l' ? list(depth + 1) : dictionary(depth + 1);
            }
            if (b >= '0' && b <= '9') {
                return string();
            }
            throw error("unexpected byte 0x" + Integer.toHexString(b & 0xff));
        }

        private List<Object> list(int depth) {
            List<Object> items = new ArrayList<>();
            while (peek() != 'e') {
                items.add(value(depth));
            }
            pos++;
            return Collections.unmodifiableList(items);
        }

        private Map<String, Object> dictionary(int depth) {
            Map<String, Object> entries = new LinkedHashMap<>();
            while (peek() != 'e') {
                int keyAt = pos;
                byte b = peek();
                if (b < '0' || b > '9') {
                    throw error("a dictionary key must be a byte string");
                }
                String key = string();
                if (entries.containsKey(key)) {
                    throw new BencodeException("duplicate dictionary key '" + key + "' at offset " + (keyAt - start));
                }
                entries.put(key, value(depth));
            }
            pos++;
            return Collections.unmodifiableMap(entries);
        }

        private String string() {
            long length = integer(':');
            if (length > end - pos) {
                throw error("string of " + length + " bytes runs past the end of the input");
            }
            int from = pos;
            pos += (int) length;
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(data, from, (int) length))
                        .toString();
            } catch (CharacterCodingException e) {
                pos = from;
                throw error("byte string is not valid UTF-8");
            }
        }

        /**
         * Digits up to {@code terminator}: BEP 3 forbids leading zeros and {@code -0}; a length
         * (terminator ':') has no sign at all.
         */
        private long integer(char terminator) {
            int from = pos;
            boolean negative = false;
            if (terminator == 'e' && peek() == '-') {
                negative = true;
                pos++;
            }
            // Accumulated as a negative number, as Long.parseLong does, so that Long.MIN_VALUE fits.
            long value = 0;
            int digits = 0;
            while (peek() != terminator) {
                byte b = data[pos];
                if (b < '0' || b > '9') {
                    throw error("unexpected byte 0x" + Integer.toHexString(b & 0xff) + " in a number");
                }
                if (digits > 0 && value == 0) {
                    pos = from;
                    throw error("number with a leading zero");
                }
                try {
                    value = Math.subtractExact(Math.multiplyExact(value, 10), b - '0');
                } catch (ArithmeticException e) {
                    pos = from;
                    throw error("number does not fit in 64 bits");
                }
                digits++;
                pos++;
            }
            if (digits == 0) {
                throw error("number without digits");
            }
            if (negative && value == 0) {
                pos = from;
                throw error("negative zero");
            }
            if (!negative && value == Long.MIN_VALUE) {
                pos = from;
                throw error("number does not fit in 64 bits");
            }
            pos++;
            return negative ? value : -value;
        }

        private byte peek() {
            if (pos >= end) {
                throw new BencodeException("truncated input: ended at offset " + (pos - start));
            }
            return data[pos];
        }

        private BencodeException error(String problem) {
            return new BencodeException(problem + " at offset " + (pos - start));
        }
    }
}
