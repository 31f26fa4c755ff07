package dev.passerelle.gateway.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.passerelle.gateway.config.GatewayConfig.ConnectorsConfig;
import dev.passerelle.gateway.config.GatewayConfig.DtmfMode;
import dev.passerelle.gateway.config.GatewayConfig.IdentityConfig;
import dev.passerelle.gateway.config.GatewayConfig.MediaConfig;
import dev.passerelle.gateway.config.GatewayConfig.NodeConfig;
import dev.passerelle.gateway.config.GatewayConfig.QosConfig;
import dev.passerelle.gateway.config.GatewayConfig.SessionConfig;
import dev.passerelle.gateway.config.GatewayConfig.SessionTimerConfig;
import dev.passerelle.gateway.config.GatewayConfig.SipConfig;
import dev.passerelle.gateway.config.GatewayConfig.StoreConfig;
import dev.passerelle.gateway.config.GatewayConfig.WebSocketConfig;
import dev.passerelle.sipstack.HeaderPolicy;
import dev.passerelle.sipstack.ImsProfile;
import dev.passerelle.sipstack.NumberPlan;
import dev.passerelle.sipstack.TlsSettings;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Builds a {@link GatewayConfig} from YAML and the environment. Precedence: environment variable
 * ({@code PASSERELLE_SIP_PORT} for {@code sip.port}), then the YAML file, then the default. Every
 * key is checked; an unknown key or a bad value fails with a {@link ConfigException} naming it.
 */
public final class ConfigLoader {

    /** The default codec policy: what a browser and an ordinary SIP phone most likely share. */
    private static final List<String> AUDIO_CODECS = List.of("opus", "G722", "PCMU", "PCMA", "telephone-event");
    private static final List<String> VIDEO_CODECS = List.of("VP8", "H264");

    /**
     * Sections whose sub-mappings belong to connectors ({@code identity.<name>}, ...) and are
     * passed to them unchecked: each connector checks its own settings.
     */
    private static final List<String> CONNECTOR_SECTIONS = List.of("identity.", "qos.", "media.", "providers.");

    /**
     * Keys of connector settings that the product contract names, settable by environment variable
     * like every key of the contract ({@code PASSERELLE_QOS_TURN_SECRET}): overlaid as text on the
     * connector's subtree, whose reader takes text where it takes a list (comma-separated).
     */
    private static final List<String> ENV_SETTABLE = List.of(
            "identity.jwt.jwksUri", "identity.jwt.secret", "identity.jwt.issuer", "identity.jwt.audience",
            "qos.turn.urls", "qos.turn.secret", "qos.turn.ttl",
            "qos.turn.reports.uri", "qos.turn.reports.authorization", "qos.turn.reports.batchSize",
            "qos.turn.reports.flushInterval", "qos.turn.reports.queueLimit", "qos.turn.reports.timeout",
            "media.rtpengine.ng", "media.rtpengine.timeout", "media.rtpengine.tries", "media.rtpengine.injectDtmf",
            "media.rtpengine.dtmfEvents");

    private final Map<String, String> env;
    /** A key written twice is refused: which of the two values a reader keeps is not for us to guess. */
    private final ObjectMapper yaml = YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    /** @param env the environment to read {@code PASSERELLE_*} overrides from */
    public ConfigLoader(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /** The embedded defaults, with environment overrides. */
    public GatewayConfig defaults() {
        return fromYaml("");
    }

    public GatewayConfig fromFile(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException("--config", "cannot read " + file + ": " + e.getMessage(), e);
        }
        return fromYaml(text);
    }

    public GatewayConfig fromYaml(String text) {
        JsonNode root;
        try {
            root = text.isBlank() ? JsonNodeFactory.instance.objectNode() : yaml.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ConfigException("(yaml)", "not valid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()), e);
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            root = JsonNodeFactory.instance.objectNode();
        }
        if (!root.isObject()) {
            throw new ConfigException("(root)", "the configuration must be a YAML mapping");
        }
        Tree tree = new Tree((ObjectNode) root, env, yaml);
        GatewayConfig config = bind(tree);
        tree.rejectUnknownKeys();
        return config;
    }

    private static GatewayConfig bind(Tree t) {
        NodeConfig node = new NodeConfig(t.string("node.id", defaultNodeId()),
                Duration.ofMillis(t.number("node.heartbeat", 1_000, 100, 60_000)),
                Duration.ofMillis(t.number("node.timeout", 3_000, 300, 600_000)));
        if (node.timeout().compareTo(node.heartbeat().multipliedBy(2)) < 0) {
            throw new ConfigException("node.timeout", "must be at least twice node.heartbeat ("
                    + node.heartbeat().toMillis() + " ms), so that one late beat does not declare a node dead");
        }

        WebSocketConfig websocket = new WebSocketConfig(
                t.host("websocket.host", "0.0.0.0"),
                t.integer("websocket.port", 8080, 0, 65535),
                t.path("websocket.path", "/ws"),
                t.integer("websocket.maxMessageBytes", 64 * 1024, 1024, 16 * 1024 * 1024),
                t.integer("websocket.maxNestingDepth", 32, 2, 1000),
                t.integer("websocket.outboundQueueLimit", 1024, 8, 1_000_000),
                t.seconds("websocket.idleTimeout", 120, 5, 86_400),
                t.seconds("websocket.pingInterval", 30, 1, 3_600));
        if (websocket.pingInterval().compareTo(websocket.idleTimeout()) >= 0) {
            throw new ConfigException("websocket.pingInterval", "must be shorter than websocket.idleTimeout ("
                    + websocket.idleTimeout().toSeconds() + " s), or idle connections close before they are pinged");
        }

        SipConfig sip = new SipConfig(
                t.host("sip.host", "127.0.0.1"),
                t.integer("sip.port", 5060, 0, 65535),
                t.token("sip.domain", "localhost"),
                t.optionalSipUri("sip.outboundProxy"),
                t.optionalSipUri("sip.registrar"),
                t.string("sip.userAgent", "Passerelle"),
                t.integer("sip.threadPoolSize", 8, 1, 1024),
                t.integer("sip.maxMessageSize", 64 * 1024, 4 * 1024, 1024 * 1024),
                t.seconds("sip.ringTimeout", 60, 5, 3_600),
                t.seconds("sip.registration.expires", 600, 60, 86_400),
                t.seconds("sip.registration.retryBase", 30, 1, 1_800),
                numberPlan(t),
                headerPolicy(t),
                imsProfile(t),
                tls(t),
                new SessionTimerConfig(t.bool("sip.sessionTimer.enabled", true),
                        t.seconds("sip.sessionTimer.expires", 1_800, 2, 86_400),
                        t.seconds("sip.sessionTimer.minSE", 90, 2, 86_400)),
                t.seconds("sip.outboundProxyKeepalive", 30, 0, 3_600),
                dnsServers(t),
                DtmfMode.valueOf(t.oneOf("sip.dtmf", "auto", List.of("info", "rfc4733", "auto"))
                        .toUpperCase(Locale.ROOT)));
        if (sip.sessionTimer().expires().compareTo(sip.sessionTimer().minSE()) < 0) {
            throw new ConfigException("sip.sessionTimer.expires", "must be at least sip.sessionTimer.minSE ("
                    + sip.sessionTimer().minSE().toSeconds() + " s): RFC 4028 §4 never asks for less than Min-SE");
        }

        String storeType = t.oneOf("store.type", "memory", List.of("memory", "redis"));
        StoreConfig store = new StoreConfig(storeType, t.redisUri("store.redis.uri"),
                Duration.ofMillis(t.number("store.redis.timeout", 2_000, 50, 60_000)),
                t.string("store.redis.prefix", "passerelle:"));
        if (storeType.equals("redis") && store.redisUri().isEmpty()) {
            throw new ConfigException("store.redis.uri", "required when store.type is redis");
        }
        if (store.redisPrefix().contains("{") || store.redisPrefix().contains("}")
                || store.redisPrefix().contains(" ")) {
            throw new ConfigException("store.redis.prefix", "'" + store.redisPrefix()
                    + "' may not contain '{', '}' or spaces (braces would break Redis Cluster hash tags)");
        }

        String anchor = t.token("media.anchor", "passthrough");
        if (anchor.equals("embedded")) {
            throw new ConfigException("media.anchor", "'embedded' is not available in this version; use 'passthrough' or 'rtpengine'");
        }
        if (anchor.equals("codecs")) {
            throw new ConfigException("media.anchor", "'codecs' is the codec policy's section, not a media connector");
        }
        MediaConfig media = new MediaConfig(anchor, t.subtree("media." + anchor),
                t.codecs("media.codecs.audio", AUDIO_CODECS),
                t.codecs("media.codecs.video", VIDEO_CODECS));
        if (media.audioCodecs().stream().allMatch(c -> c.equalsIgnoreCase("telephone-event"))) {
            throw new ConfigException("media.codecs.audio", "must name at least one voice codec");
        }

        String connector = t.token("identity.connector", "static");
        IdentityConfig identity = new IdentityConfig(connector, t.subtree("identity." + connector));

        String qosConnector = t.token("qos.connector", "turn");
        QosConfig qos = new QosConfig(qosConnector, t.subtree("qos." + qosConnector));

        SessionConfig session = new SessionConfig(
                t.seconds("session.resumeWindow", 60, 0, 86_400),
                t.integer("session.eventLogLimit", 1000, 10, 1_000_000),
                // The peer's INVITE transaction has had a 100 Trying, so it waits for longer than
                // this; its user may not.
                t.seconds("session.updateTimeout", 10, 1, 120));

        // A jar being copied is not complete for a while; a second is longer than a local copy takes.
        ConnectorsConfig connectors = new ConnectorsConfig(t.string("connectors.dir", "./connectors"),
                t.bool("connectors.watch", true),
                Duration.ofMillis(t.number("connectors.quietPeriod", 1_000, 50, 60_000)));

        return new GatewayConfig(node, websocket, sip, store, media, identity, qos, session, connectors,
                t.providers());
    }

    /** {@code sip.dns.servers}: each a {@code host:port} (an IPv6 host in brackets). */
    private static List<String> dnsServers(Tree t) {
        List<String> servers = t.stringList("sip.dns.servers");
        for (String server : servers) {
            int colon = server.lastIndexOf(':');
            String host = colon < 0 ? "" : server.substring(0, colon);
            String port = colon < 0 ? "" : server.substring(colon + 1);
            if (host.isEmpty() || host.contains(" ") || (host.contains(":") && !host.startsWith("["))
                    || !port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
                throw new ConfigException("sip.dns.servers", "'" + server + "' is not host:port");
            }
        }
        return servers;
    }

    /** SIP over TLS is on when {@code sip.tls.keyStore} is given; its other keys need it. */
    private static Optional<TlsSettings> tls(Tree t) {
        int port = t.integer("sip.tls.port", 5061, 0, 65535);
        Optional<String> keyStore = t.optionalString("sip.tls.keyStore");
        Optional<String> password = t.optionalString("sip.tls.keyStorePassword");
        String type = t.oneOf("sip.tls.keyStoreType", "PKCS12", List.of("PKCS12", "JKS"));
        Optional<String> trustStore = t.optionalString("sip.tls.trustStore");
        Optional<String> trustPassword = t.optionalString("sip.tls.trustStorePassword");
        TlsSettings.ClientAuth clientAuth = TlsSettings.ClientAuth.valueOf(
                t.oneOf("sip.tls.clientAuth", "want", List.of("none", "want", "need")).toUpperCase(Locale.ROOT));
        if (keyStore.isEmpty()) {
            for (String key : List.of("sip.tls.port", "sip.tls.keyStorePassword", "sip.tls.keyStoreType",
                    "sip.tls.trustStore", "sip.tls.trustStorePassword", "sip.tls.clientAuth")) {
                if (t.has(key)) {
                    throw new ConfigException("sip.tls.keyStore", "required when " + key + " is set");
                }
            }
            return Optional.empty();
        }
        if (password.isEmpty()) {
            throw new ConfigException("sip.tls.keyStorePassword", "required with sip.tls.keyStore");
        }
        if (port == t.integer("sip.port", 5060, 0, 65535) && port != 0) {
            throw new ConfigException("sip.tls.port", "must differ from sip.port (" + port
                    + "): TLS runs over TCP, which already listens there");
        }
        return Optional.of(fieldChecked("sip.tls.", () -> new TlsSettings(port, Path.of(keyStore.get()),
                password.get(), type, trustStore.map(Path::of), trustPassword, clientAuth)));
    }

    private static NumberPlan numberPlan(Tree t) {
        NumberPlan.Form form = NumberPlan.Form.valueOf(
                t.oneOf("sip.numbers.form", "tel", List.of("tel", "sip")).toUpperCase(Locale.ROOT));
        Optional<String> countryCode = t.optionalString("sip.numbers.countryCode");
        Optional<String> nationalPrefix = t.optionalString("sip.numbers.nationalPrefix");
        return fieldChecked("sip.numbers.", () -> NumberPlan.of(form, countryCode, nationalPrefix));
    }

    private static HeaderPolicy headerPolicy(Tree t) {
        List<String> allow = t.stringList("sip.headers.allow");
        List<String> pass = t.stringList("sip.headers.pass");
        return fieldChecked("sip.headers.", () -> HeaderPolicy.of(
                t.has("sip.headers.allow") ? allow : HeaderPolicy.DEFAULT.out(),
                t.has("sip.headers.pass") ? pass : HeaderPolicy.DEFAULT.in()));
    }

    private static ImsProfile imsProfile(Tree t) {
        ImsProfile.Identity identity = ImsProfile.Identity.valueOf(t.oneOf("sip.ims.identity", "none",
                List.of("none", "preferred", "asserted")).toUpperCase(Locale.ROOT));
        Optional<String> pani = t.optionalString("sip.ims.accessNetworkInfo");
        boolean chargingVector = t.bool("sip.ims.chargingVector", false);
        Optional<String> origIoi = t.optionalString("sip.ims.origIoi");
        Set<String> trusted = Set.copyOf(t.stringList("sip.ims.trusted"));
        return fieldChecked("sip.ims.", () -> new ImsProfile(identity, pani, chargingVector, origIoi, trusted));
    }

    /**
     * Builds a value of {@code sip-stack-config}, whose checks name the field ("countryCode: ..."),
     * and names the key instead: {@code prefix} + that field.
     */
    private static <T> T fieldChecked(String prefix, Supplier<T> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            int colon = message.indexOf(": ");
            String field = colon > 0 ? message.substring(0, colon) : "";
            throw new ConfigException(prefix + field, colon > 0 ? message.substring(colon + 2) : message);
        }
    }

    private static String defaultNodeId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "localhost";
        }
        return host + "-" + ProcessHandle.current().pid();
    }

    /** The YAML tree with environment overrides, remembering which keys were read. */
    private static final class Tree {
        private final ObjectNode root;
        private final Map<String, String> env;
        private final ObjectMapper mapper;
        private final Set<String> known = new HashSet<>();

        Tree(ObjectNode root, Map<String, String> env, ObjectMapper mapper) {
            this.root = root;
            this.env = env;
            this.mapper = mapper;
        }

        static String envName(String key) {
            return "PASSERELLE_" + key.toUpperCase(Locale.ROOT).replace('.', '_');
        }

        /** The environment variable of {@code key}, or null; for keys inside a connector's subtree. */
        String fromEnvironment(String key) {
            return env.get(envName(key));
        }

        /** The raw value: environment first, then YAML; null when neither has it. */
        private JsonNode raw(String key) {
            known.add(key);
            String fromEnv = env.get(envName(key));
            if (fromEnv != null) {
                return JsonNodeFactory.instance.textNode(fromEnv);
            }
            JsonNode n = root;
            for (String part : key.split("\\.")) {
                if (n == null || !n.isObject()) {
                    return null;
                }
                n = n.get(part);
            }
            return n == null || n.isNull() ? null : n;
        }

        /** Whether {@code key} is given at all (an empty list is given). */
        boolean has(String key) {
            return raw(key) != null;
        }

        private String scalar(String key) {
            JsonNode n = raw(key);
            if (n == null) {
                return null;
            }
            if (!n.isValueNode()) {
                throw new ConfigException(key, "must be a single value, not a " + (n.isArray() ? "list" : "mapping"));
            }
            return n.asText();
        }

        String string(String key, String dflt) {
            String v = scalar(key);
            if (v == null) {
                return dflt;
            }
            if (v.isBlank()) {
                throw new ConfigException(key, "must not be empty");
            }
            return v.trim();
        }

        Optional<String> optionalString(String key) {
            String v = scalar(key);
            return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
        }

        String token(String key, String dflt) {
            String v = string(key, dflt);
            for (int i = 0; i < v.length(); i++) {
                char c = v.charAt(i);
                if (!(Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == '_')) {
                    throw new ConfigException(key, "'" + v + "' may hold only letters, digits, '.', '-' and '_'");
                }
            }
            return v;
        }

        String host(String key, String dflt) {
            String v = string(key, dflt);
            if (v.contains(" ") || v.contains("/")) {
                throw new ConfigException(key, "'" + v + "' is not a host name or IP address");
            }
            return v;
        }

        String path(String key, String dflt) {
            String v = string(key, dflt);
            if (!v.startsWith("/") || v.contains(" ") || v.contains("?")) {
                throw new ConfigException(key, "'" + v + "' must be a URL path starting with '/'");
            }
            return v;
        }

        int integer(String key, int dflt, int min, int max) {
            return (int) number(key, dflt, min, max);
        }

        long number(String key, long dflt, long min, long max) {
            String v = scalar(key);
            if (v == null) {
                return dflt;
            }
            long n;
            try {
                n = Long.parseLong(v.trim());
            } catch (NumberFormatException e) {
                throw new ConfigException(key, "'" + v + "' is not a whole number");
            }
            if (n < min || n > max) {
                throw new ConfigException(key, "must be between " + min + " and " + max + ", was " + n);
            }
            return n;
        }

        boolean bool(String key, boolean dflt) {
            String v = scalar(key);
            if (v == null) {
                return dflt;
            }
            return switch (v.trim().toLowerCase(Locale.ROOT)) {
                case "true" -> true;
                case "false" -> false;
                default -> throw new ConfigException(key, "'" + v + "' is not true or false");
            };
        }

        Duration seconds(String key, long dflt, long min, long max) {
            return Duration.ofSeconds(number(key, dflt, min, max));
        }

        String oneOf(String key, String dflt, List<String> allowed) {
            String v = string(key, dflt);
            if (!allowed.contains(v)) {
                throw new ConfigException(key, "'" + v + "' is not one of " + allowed);
            }
            return v;
        }

        Optional<String> optionalSipUri(String key) {
            Optional<String> v = optionalString(key);
            v.ifPresent(uri -> {
                if (!(uri.startsWith("sip:") || uri.startsWith("sips:")) || uri.length() < 5 || uri.contains(" ")) {
                    throw new ConfigException(key, "'" + uri + "' is not a sip: or sips: URI");
                }
            });
            return v;
        }

        /** A list from YAML, or a comma-separated environment value. */
        List<String> stringList(String key) {
            JsonNode n = raw(key);
            if (n == null) {
                return List.of();
            }
            List<String> out = new ArrayList<>();
            if (n.isTextual()) {
                for (String part : n.asText().split(",")) {
                    if (!part.isBlank()) {
                        out.add(part.trim());
                    }
                }
            } else if (n.isArray()) {
                for (JsonNode e : n) {
                    if (!e.isValueNode() || e.asText().isBlank()) {
                        throw new ConfigException(key, "every entry must be a non-empty string");
                    }
                    out.add(e.asText().trim());
                }
            } else {
                throw new ConfigException(key, "must be a list of strings");
            }
            return List.copyOf(out);
        }

        /**
         * A Redis URI as Lettuce reads it: {@code redis://} or {@code rediss://} (TLS) for one
         * server, {@code redis-cluster://} or {@code rediss-cluster://} with comma-separated seed
         * {@code host:port}s for a Redis Cluster.
         */
        Optional<String> redisUri(String key) {
            Optional<String> v = optionalString(key);
            v.ifPresent(uri -> {
                int colon = uri.indexOf("://");
                String scheme = colon < 0 ? "" : uri.substring(0, colon);
                if (!List.of("redis", "rediss", "redis-cluster", "rediss-cluster").contains(scheme)
                        || uri.length() == colon + 3 || uri.contains(" ")) {
                    throw new ConfigException(key, "'" + uri + "' is not a redis://, rediss://, redis-cluster:// or"
                            + " rediss-cluster:// URI with a host");
                }
            });
            return v;
        }

        /** A codec allow-list: encoding names as SDP spells them (RFC 8866 §6.6), no duplicates. */
        List<String> codecs(String key, List<String> dflt) {
            List<String> v = stringList(key);
            if (v.isEmpty()) {
                return dflt;
            }
            Set<String> seen = new HashSet<>();
            for (String c : v) {
                for (int i = 0; i < c.length(); i++) {
                    char ch = c.charAt(i);
                    if (!(Character.isLetterOrDigit(ch) || ch == '-' || ch == '_' || ch == '.')) {
                        throw new ConfigException(key, "'" + c + "' is not a codec name");
                    }
                }
                if (!seen.add(c.toLowerCase(Locale.ROOT))) {
                    throw new ConfigException(key, "'" + c + "' is listed twice");
                }
            }
            return v;
        }

        /**
         * A connector's own subtree, as plain Java maps and lists, checked by the connector, with
         * the environment variables of its {@link #ENV_SETTABLE} keys overlaid.
         */
        Map<String, Object> subtree(String key) {
            markSubtree(key);
            JsonNode n = root;
            for (String part : key.split("\\.")) {
                n = n == null ? null : n.get(part);
            }
            Map<String, Object> map = new LinkedHashMap<>();
            if (n != null && !n.isNull()) {
                if (!n.isObject()) {
                    throw new ConfigException(key, "must be a mapping");
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> read = mapper.convertValue(n, Map.class);
                map.putAll(read);
            }
            for (String settable : ENV_SETTABLE) {
                String fromEnv = env.get(envName(settable));
                if (settable.startsWith(key + ".") && fromEnv != null) {
                    overlay(map, settable.substring(key.length() + 1).split("\\."), fromEnv);
                }
            }
            return Collections.unmodifiableMap(map);
        }

        /**
         * Puts {@code value} at {@code path} below {@code map}, copying the mappings on the way so
         * that what YAML gave stays untouched; a value on the way that is not a mapping is replaced,
         * as the environment wins over the file.
         */
        private static void overlay(Map<String, Object> map, String[] path, String value) {
            Map<String, Object> at = map;
            for (int i = 0; i < path.length - 1; i++) {
                Map<String, Object> next = new LinkedHashMap<>();
                if (at.get(path[i]) instanceof Map<?, ?> given) {
                    given.forEach((k, v) -> next.put(String.valueOf(k), v));
                }
                at.put(path[i], next);
                at = next;
            }
            at.put(path[path.length - 1], value);
        }

        /**
         * {@code providers.<name>} for every name under {@code providers}: each is a provider
         * connector's subtree.
         */
        Map<String, Map<String, Object>> providers() {
            known.add("providers");
            JsonNode n = root.get("providers");
            if (n == null || n.isNull()) {
                return Map.of();
            }
            if (!n.isObject()) {
                throw new ConfigException("providers", "must be a mapping of provider names to their settings");
            }
            Map<String, Map<String, Object>> out = new TreeMap<>();
            Iterator<String> names = n.fieldNames();
            while (names.hasNext()) {
                String name = names.next();
                out.put(name, subtree("providers." + name));
            }
            return out;
        }

        private final Set<String> subtrees = new HashSet<>();

        private void markSubtree(String key) {
            subtrees.add(key);
        }

        /** Fails on the first key in the YAML that no reader asked for. */
        void rejectUnknownKeys() {
            walk(root, "");
        }

        private void walk(JsonNode node, String prefix) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                String key = prefix.isEmpty() ? f.getKey() : prefix + "." + f.getKey();
                int dot = f.getKey().indexOf('.');
                if (dot >= 0) {
                    // raw() reads nested mappings only: "sip.port: 5062" would match a known key
                    // here and yet never be read, so the default would silently win.
                    throw new ConfigException(key, "write it as nested mappings (" + f.getKey().substring(0, dot)
                            + ":, then " + f.getKey().substring(dot + 1) + ": below it); a key may not contain '.'");
                }
                if (known.contains(key) || subtrees.contains(key)) {
                    continue;
                }
                boolean connectorOwned = f.getValue().isObject() && CONNECTOR_SECTIONS.stream()
                        .anyMatch(section -> key.startsWith(section) && key.indexOf('.', section.length()) < 0);
                if (connectorOwned) {
                    continue;
                }
                if (f.getValue().isObject() && known.stream().anyMatch(k -> k.startsWith(key + "."))) {
                    walk(f.getValue(), key);
                    continue;
                }
                throw new ConfigException(key, "unknown key (docs/configuration.md lists every key)");
            }
        }
    }
}
