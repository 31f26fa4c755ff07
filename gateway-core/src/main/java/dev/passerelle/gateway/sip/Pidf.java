package dev.passerelle.gateway.sip;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import java.io.IOException;
import java.io.StringReader;
import java.util.Set;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Reads a PIDF document (RFC 3863) with RPID activities (RFC 4480) into the protocol's four
 * states. The mapping, also in docs/protocol.md:
 * <ul>
 * <li>no tuple whose {@code <basic>} is {@code open} → {@code offline};</li>
 * <li>open, with an RPID activity among {@value #BUSY_TEXT} → {@code busy};</li>
 * <li>open, with an RPID activity among {@value #AWAY_TEXT} → {@code away};</li>
 * <li>open otherwise → {@code available}.</li>
 * </ul>
 * The note is the first non-blank {@code <note>} of the PIDF or data-model namespace, in document
 * order, trimmed to {@value #MAX_NOTE} characters.
 *
 * <p>The parser refuses a DOCTYPE and resolves no external entity or schema: a NOTIFY body is
 * attacker-controlled (XXE, entity expansion).
 */
final class Pidf {

    static final String CONTENT_TYPE = "application";
    static final String CONTENT_SUBTYPE = "pidf+xml";
    static final int MAX_NOTE = 256;
    static final String PIDF = "urn:ietf:params:xml:ns:pidf";
    static final String RPID = "urn:ietf:params:xml:ns:pidf:rpid";
    static final String DATA_MODEL = "urn:ietf:params:xml:ns:pidf:data-model";

    private static final String BUSY_TEXT = "busy, on-the-phone, meeting, appointment, performance, presentation";
    private static final String AWAY_TEXT = "away, vacation, holiday, sleeping, breakfast, dinner, meal, "
            + "in-transit, travel, permanent-absence";
    private static final Set<String> BUSY = Set.of(BUSY_TEXT.split(", "));
    private static final Set<String> AWAY = Set.of(AWAY_TEXT.split(", "));

    /** What one PIDF document says. */
    record Presence(PresenceStatus status, String note) {}

    private Pidf() {
    }

    /**
     * @throws GatewayException with {@link ErrorCode#BAD_REQUEST} when the body is not well-formed
     *     XML, has a DOCTYPE, or its root is not the PIDF {@code <presence>}
     */
    static Presence parse(String xml) {
        if (xml == null || xml.isBlank()) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "empty PIDF body");
        }
        Document doc;
        try {
            DocumentBuilder builder = factory().newDocumentBuilder();
            builder.setErrorHandler(new DefaultHandler());
            doc = builder.parse(new InputSource(new StringReader(xml)));
        } catch (SAXException | IOException | ParserConfigurationException e) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "malformed PIDF: " + SipContext.printable(e.getMessage(), 120));
        }
        Element root = doc.getDocumentElement();
        if (!PIDF.equals(root.getNamespaceURI()) || !"presence".equals(root.getLocalName())) {
            throw new GatewayException(ErrorCode.BAD_REQUEST, "not a PIDF document: root <" + root.getTagName() + ">");
        }
        boolean open = false;
        NodeList basics = root.getElementsByTagNameNS(PIDF, "basic");
        for (int i = 0; i < basics.getLength(); i++) {
            open |= "open".equals(basics.item(i).getTextContent().trim());
        }
        String note = firstNote(root);
        if (!open) {
            return new Presence(PresenceStatus.OFFLINE, note);
        }
        boolean busy = false;
        boolean away = false;
        NodeList activities = root.getElementsByTagNameNS(RPID, "activities");
        for (int i = 0; i < activities.getLength(); i++) {
            for (Node c = activities.item(i).getFirstChild(); c != null; c = c.getNextSibling()) {
                if (c.getNodeType() == Node.ELEMENT_NODE) {
                    busy |= BUSY.contains(c.getLocalName());
                    away |= AWAY.contains(c.getLocalName());
                }
            }
        }
        PresenceStatus status = busy ? PresenceStatus.BUSY : away ? PresenceStatus.AWAY : PresenceStatus.AVAILABLE;
        return new Presence(status, note);
    }

    /**
     * The document a PUBLISH carries for {@code status} (RFC 3863 §4, RFC 4480 §3.2): one tuple,
     * {@code closed} for {@code offline} and {@code open} otherwise; {@code away} and {@code busy}
     * as the RPID activity of that name, so that {@link #parse} reads back the same state.
     */
    static String build(String entity, PresenceStatus status, String note) {
        StringBuilder b = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<presence xmlns=\"").append(PIDF).append("\" xmlns:dm=\"").append(DATA_MODEL)
                .append("\" xmlns:rpid=\"").append(RPID).append("\" entity=\"").append(escape(entity)).append("\">\n")
                .append("<tuple id=\"passerelle\"><status><basic>")
                .append(status == PresenceStatus.OFFLINE ? "closed" : "open")
                .append("</basic></status></tuple>\n");
        if (status == PresenceStatus.AWAY || status == PresenceStatus.BUSY) {
            b.append("<dm:person id=\"p1\"><rpid:activities><rpid:").append(status.wire())
                    .append("/></rpid:activities></dm:person>\n");
        }
        if (note != null && !note.isBlank()) {
            b.append("<note>").append(escape(note)).append("</note>\n");
        }
        return b.append("</presence>\n").toString();
    }

    private static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                // XML 1.0 §2.2: controls other than tab, LF and CR cannot appear at all.
                default -> out.appendCodePoint(c < 0x20 && c != '\t' && c != '\n' && c != '\r' ? ' ' : c);
            }
        });
        return out.toString();
    }

    private static String firstNote(Element root) {
        NodeList all = root.getElementsByTagName("*");
        for (int i = 0; i < all.getLength(); i++) {
            Node n = all.item(i);
            if ("note".equals(n.getLocalName())
                    && (PIDF.equals(n.getNamespaceURI()) || DATA_MODEL.equals(n.getNamespaceURI()))) {
                String text = SipContext.printable(n.getTextContent(), MAX_NOTE);
                if (text != null) {
                    return text;
                }
            }
        }
        return null;
    }

    private static DocumentBuilderFactory factory() throws ParserConfigurationException {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        // OWASP XXE prevention for the JDK's Xerces: no DOCTYPE at all, hence no entity of any kind.
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        f.setFeature("http://xml.org/sax/features/external-general-entities", false);
        f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
        f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        f.setXIncludeAware(false);
        f.setExpandEntityReferences(false);
        return f;
    }
}
