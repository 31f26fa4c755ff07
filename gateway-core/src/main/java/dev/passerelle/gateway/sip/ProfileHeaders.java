package dev.passerelle.gateway.sip;

import dev.passerelle.gateway.error.ErrorCode;
import dev.passerelle.gateway.error.GatewayException;
import dev.passerelle.sipstack.HeaderPolicy;
import dev.passerelle.sipstack.ImsProfile;
import gov.nist.javax.sip.header.SIPHeader;
import java.text.ParseException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.ListIterator;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import javax.sip.address.Address;
import javax.sip.header.Header;
import javax.sip.header.HeaderFactory;
import javax.sip.message.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The headers of the configured SIP profile: the custom headers a browser may add and is shown
 * ({@link HeaderPolicy}), and the IMS private headers ({@link ImsProfile}).
 */
final class ProfileHeaders {

    private static final Logger LOG = LoggerFactory.getLogger(ProfileHeaders.class);
    private static final String PAI = "P-Asserted-Identity";
    private static final String PPI = "P-Preferred-Identity";

    private final HeaderFactory headers;
    private final HeaderPolicy policy;
    private final ImsProfile ims;
    private final String host;

    /** @param host this gateway's SIP host, where a charging vector says it was generated */
    ProfileHeaders(HeaderFactory headers, HeaderPolicy policy, ImsProfile ims, String host) {
        this.headers = headers;
        this.policy = policy;
        this.ims = ims;
        this.host = host;
    }

    /**
     * Refuses a header a browser may not add: identity, charging and routing headers never, others
     * unless {@code sip.headers.allow} names them.
     *
     * @throws GatewayException {@link ErrorCode#INVALID_PARAMS} naming the header
     */
    static void checkCustom(HeaderPolicy policy, Map<String, String> custom) {
        for (String name : custom.keySet()) {
            if (name == null || !policy.allowsOut(name)) {
                throw new GatewayException(ErrorCode.INVALID_PARAMS, "header " + name
                        + " may not be set by a client (allowed: " + String.join(", ", policy.out()) + ")");
            }
        }
    }

    /**
     * Adds what the profile puts on an INVITE the gateway sends for a web user: the client's
     * custom headers (refused as {@link #checkCustom} says), the identity header, P-Access-Network-Info
     * and a new P-Charging-Vector.
     */
    void addTo(Request invite, Address caller, Map<String, String> custom) throws ParseException {
        checkCustom(policy, custom);
        for (Map.Entry<String, String> h : custom.entrySet()) {
            invite.addHeader(headers.createHeader(h.getKey(), h.getValue()));
        }
        switch (ims.identity()) {
            // RFC 3325 §9.1 and §9.2: name-addr of the user the gateway speaks for.
            case ASSERTED -> invite.addHeader(headers.createHeader(PAI, caller.toString()));
            case PREFERRED -> invite.addHeader(headers.createHeader(PPI, caller.toString()));
            case NONE -> { }
        }
        if (ims.accessNetworkInfo().isPresent()) {
            // RFC 7315 §5.4
            invite.addHeader(headers.createHeader("P-Access-Network-Info", ims.accessNetworkInfo().get()));
        }
        if (ims.chargingVector()) {
            // RFC 7315 §5.6: icid-value unique worldwide, generated where the session starts.
            String vector = "icid-value=" + UUID.randomUUID().toString().replace("-", "")
                    + ";icid-generated-at=" + host
                    + ims.origIoi().map(ioi -> ";orig-ioi=" + ioi).orElse("");
            invite.addHeader(headers.createHeader("P-Charging-Vector", vector));
        }
    }

    /**
     * The headers of an incoming INVITE the browser is shown: those {@code sip.headers.pass} names,
     * except P-Asserted-Identity and P-Preferred-Identity from an address outside {@code
     * sip.ims.trusted}, which are dropped (RFC 3325 §5). Repeated headers are joined with commas
     * (RFC 3261 §7.3.1).
     *
     * @param source the IP address the request came from, or null when unknown
     */
    Map<String, String> shown(Request request, String source) {
        Map<String, String> shown = new LinkedHashMap<>();
        Iterator<?> names = request.getHeaderNames();
        while (names.hasNext()) {
            String name = (String) names.next();
            if (!policy.passesIn(name)) {
                continue;
            }
            String lower = name.toLowerCase(Locale.ROOT);
            if ((lower.equals("p-asserted-identity") || lower.equals("p-preferred-identity")) && !ims.trusts(source)) {
                LOG.debug("{} from untrusted {} dropped", name, source);
                continue;
            }
            ListIterator<?> values = request.getHeaders(name);
            StringBuilder joined = new StringBuilder();
            while (values.hasNext()) {
                String value = valueOf((Header) values.next());
                if (value != null) {
                    joined.append(joined.isEmpty() ? "" : ", ").append(value);
                }
            }
            shown.put(name, joined.toString());
        }
        return shown;
    }

    private static String valueOf(Header h) {
        return h instanceof SIPHeader sip ? sip.getHeaderValue().trim() : null;
    }
}
