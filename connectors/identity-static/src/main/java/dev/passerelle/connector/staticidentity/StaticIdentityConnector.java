package dev.passerelle.connector.staticidentity;

import dev.passerelle.connector.spi.AuthenticationException;
import dev.passerelle.connector.spi.ConnectorContext;
import dev.passerelle.connector.spi.ConnectorException;
import dev.passerelle.connector.spi.ConnectorSettings;
import dev.passerelle.connector.spi.DialPlan;
import dev.passerelle.connector.spi.Identity;
import dev.passerelle.connector.spi.IdentityConnector;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A fixed list of users, each with one token. Tokens are kept only as SHA-256 digests and looked
 * up by digest, so the time a lookup takes does not depend on how much of a guess was right.
 */
final class StaticIdentityConnector implements IdentityConnector {

    /** The embedded defaults of {@code identity.static.users}: two demo users for a first try. */
    static final List<Map<String, Object>> DEMO_USERS = List.of(
            Map.of("user", "alice", "token", "alice", "displayName", "Alice"),
            Map.of("user", "bob", "token", "bob", "displayName", "Bob"));

    private final Map<String, Identity> byTokenDigest;
    private final Map<String, Identity> byUser;

    private StaticIdentityConnector(Map<String, Identity> byTokenDigest, Map<String, Identity> byUser) {
        this.byTokenDigest = Map.copyOf(byTokenDigest);
        this.byUser = Map.copyOf(byUser);
    }

    static StaticIdentityConnector fromSettings(ConnectorContext context) {
        String key = context.settingsKey() + ".users";
        for (String setting : context.settings().keySet()) {
            if (!setting.equals("users")) {
                throw new ConnectorException(context.settingsKey() + "." + setting + ": unknown key");
            }
        }
        Object raw = context.settings().getOrDefault("users", DEMO_USERS);
        if (!(raw instanceof List<?> entries)) {
            throw new ConnectorException(key
                    + ": must be a list of {user, token, sipUri?, displayName?, sipPassword?, dialAllow?, dialDeny?}");
        }
        Map<String, Identity> byToken = new HashMap<>();
        Map<String, Identity> byUser = new HashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            String at = key + "[" + i + "]";
            if (!(entries.get(i) instanceof Map<?, ?> entry)) {
                throw new ConnectorException(at + ": must be a mapping with user and token");
            }
            for (Object field : entry.keySet()) {
                if (!List.of("user", "token", "sipUri", "displayName", "sipPassword", "dialAllow", "dialDeny")
                        .contains(String.valueOf(field))) {
                    throw new ConnectorException(at + "." + field + ": unknown key");
                }
            }
            String user = required(entry, "user", at);
            if (!user.chars().allMatch(c -> Character.isLetterOrDigit(c) || "-_.!~*'()".indexOf(c) >= 0)) {
                throw new ConnectorException(at + ".user: '" + user + "' is not a valid SIP user part");
            }
            String token = required(entry, "token", at);
            String sipUri = ConnectorSettings.scalar(entry, "sipUri", at);
            if (sipUri == null) {
                sipUri = "sip:" + user + "@" + context.sipDomain();
            } else if (!sipUri.startsWith("sip:") && !sipUri.startsWith("sips:")) {
                throw new ConnectorException(at + ".sipUri: '" + sipUri + "' is not a sip: or sips: URI");
            }
            DialPlan dialPlan = DialPlan.ANY.narrowedBy(ConnectorSettings.patterns(entry, "dialAllow", at),
                    ConnectorSettings.patterns(entry, "dialDeny", at));
            Identity identity = new Identity(user, sipUri, ConnectorSettings.scalar(entry, "displayName", at),
                    ConnectorSettings.scalar(entry, "sipPassword", at), dialPlan);
            if (byUser.putIfAbsent(user, identity) != null) {
                throw new ConnectorException(at + ".user: '" + user + "' is listed twice");
            }
            if (byToken.putIfAbsent(digest(token), identity) != null) {
                throw new ConnectorException(at + ".token: the same token is given to two users");
            }
        }
        return new StaticIdentityConnector(byToken, byUser);
    }

    private static String required(Map<?, ?> entry, String field, String at) {
        String value = ConnectorSettings.scalar(entry, field, at);
        if (value == null) {
            throw new ConnectorException(at + "." + field + ": required");
        }
        return value;
    }

    private static String digest(String token) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    @Override
    public Identity authenticate(String token) {
        Identity identity = token == null ? null : byTokenDigest.get(digest(token));
        if (identity == null) {
            throw new AuthenticationException("unknown token");
        }
        return identity;
    }

    @Override
    public Optional<Identity> lookup(String user) {
        return Optional.ofNullable(byUser.get(user));
    }
}
