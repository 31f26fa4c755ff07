package dev.passerelle.gateway.sip;

import java.text.ParseException;
import javax.sip.address.AddressFactory;
import javax.sip.address.URI;

/**
 * The RI's URI parser made strict: it stops at the first space and returns what it read so far
 * ({@code sip:alice@exa mple.com} parses as {@code sip:alice@exa}), which would send a call to
 * another host. A URI has no unescaped whitespace or control character (RFC 3261 §25.1), so any
 * is refused before the RI sees the text.
 */
final class UriParser {
    private final AddressFactory addressFactory;

    UriParser(AddressFactory addressFactory) {
        this.addressFactory = addressFactory;
    }

    URI parse(String text) throws ParseException {
        String trimmed = text.trim();
        for (int i = 0; i < trimmed.length(); i++) {
            char c = trimmed.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                throw new ParseException("whitespace or control character in a URI", i);
            }
        }
        return addressFactory.createURI(trimmed);
    }
}
