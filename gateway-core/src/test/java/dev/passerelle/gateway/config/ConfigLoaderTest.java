package dev.passerelle.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.passerelle.sipstack.HeaderPolicy;
import dev.passerelle.sipstack.ImsProfile;
import dev.passerelle.sipstack.NumberPlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    /** No PASSERELLE_* variables, so the build machine's environment cannot change a result. */
    private static final ConfigLoader NO_ENV = new ConfigLoader(Map.of());

    private static ConfigException refused(String yaml) {
        return refused(NO_ENV, yaml);
    }

    private static ConfigException refused(ConfigLoader loader, String yaml) {
        return assertThrows(ConfigException.class, () -> loader.fromYaml(yaml));
    }

    /** Both the key and the message name the key, because operators only see the message. */
    private static void assertRefused(String key, String problem, ConfigException e) {
        assertEquals(key, e.key());
        assertEquals(key + ": " + problem, e.getMessage());
    }

    @Test
    void defaultsAreTheContractDefaults() {
        GatewayConfig c = NO_ENV.defaults();

        assertEquals("0.0.0.0", c.websocket().host());
        assertEquals(8080, c.websocket().port());
        assertEquals("/ws", c.websocket().path());
        assertEquals(64 * 1024, c.websocket().maxMessageBytes());
        assertEquals(32, c.websocket().maxNestingDepth());
        assertEquals(1024, c.websocket().outboundQueueLimit());
        assertEquals(Duration.ofSeconds(120), c.websocket().idleTimeout());
        assertEquals(Duration.ofSeconds(30), c.websocket().pingInterval());

        assertEquals("127.0.0.1", c.sip().host());
        assertEquals(5060, c.sip().port());
        assertEquals("localhost", c.sip().domain());
        assertEquals(Optional.empty(), c.sip().outboundProxy());
        assertEquals(Optional.empty(), c.sip().registrar());
        assertEquals("Passerelle", c.sip().userAgent());
        assertEquals(8, c.sip().threadPoolSize());
        assertEquals(64 * 1024, c.sip().maxMessageSize());
        assertEquals(Duration.ofSeconds(60), c.sip().ringTimeout());
        assertEquals(NumberPlan.DEFAULT, c.sip().numbers());
        assertEquals(HeaderPolicy.DEFAULT, c.sip().headers());
        assertEquals(ImsProfile.NONE, c.sip().ims());
        assertEquals(Duration.ofSeconds(600), c.sip().registrationExpires());
        assertEquals(Duration.ofSeconds(30), c.sip().registrationRetryBase());

        assertEquals("memory", c.store().type());
        assertEquals(Optional.empty(), c.store().redisUri());
        assertEquals("passthrough", c.media().anchor());
        assertEquals(Map.of(), c.media().settings());
        assertEquals(List.of("opus", "G722", "PCMU", "PCMA", "telephone-event"), c.media().audioCodecs());
        assertEquals(List.of("VP8", "H264"), c.media().videoCodecs());
        assertEquals("static", c.identity().connector());
        // Empty settings: the static connector then falls back to its own demo users.
        assertEquals(Map.of(), c.identity().settings());

        assertEquals("turn", c.qos().connector());
        assertEquals(Map.of(), c.qos().settings());
        assertEquals(Map.of(), c.providers());
        assertEquals(Duration.ofSeconds(60), c.session().resumeWindow());
        assertEquals(Duration.ofSeconds(10), c.session().updateTimeout());
        assertEquals(1000, c.session().eventLogLimit());
        assertEquals("./connectors", c.connectors().dir());
        assertTrue(c.connectors().watch());
        assertEquals(Duration.ofSeconds(1), c.connectors().quietPeriod());
    }

    @Test
    void sipProfileKeysAreRead() {
        GatewayConfig c = NO_ENV.fromYaml("""
                sip:
                  numbers: {form: sip, countryCode: "33", nationalPrefix: "0"}
                  headers: {allow: [X-*, Subject], pass: []}
                  ims:
                    identity: preferred
                    accessNetworkInfo: "IEEE-802.11;i-wlan-node-id=ffffffffffff"
                    chargingVector: true
                    origIoi: ims.example
                    trusted: [10.0.0.5, "::1"]
                """);
        assertEquals(NumberPlan.of(NumberPlan.Form.SIP, Optional.of("33"), Optional.of("0")), c.sip().numbers());
        assertTrue(c.sip().headers().allowsOut("subject"));
        assertFalse(c.sip().headers().passesIn("X-Campaign"), "an empty pass list passes nothing");
        assertEquals(new ImsProfile(ImsProfile.Identity.PREFERRED, Optional.of("IEEE-802.11;i-wlan-node-id=ffffffffffff"),
                true, Optional.of("ims.example"), Set.of("10.0.0.5", "::1")), c.sip().ims());
    }

    @Test
    void badSipProfileKeysAreNamed() {
        assertRefused("sip.numbers.countryCode", "'033' is not 1 to 3 digits without a leading 0",
                refused("sip:\n  numbers: {countryCode: '033'}\n"));
        assertRefused("sip.numbers.nationalPrefix", "needs countryCode, the country its numbers belong to",
                refused("sip:\n  numbers: {nationalPrefix: '0'}\n"));
        assertRefused("sip.numbers.form", "'phone' is not one of [tel, sip]", refused("sip:\n  numbers: {form: phone}\n"));
        assertRefused("sip.headers.allow", "'p-asserted-identity' would let a browser set a header the gateway alone"
                + " sets (identity, charging or routing)", refused("sip:\n  headers: {allow: [P-Asserted-Identity]}\n"));
        assertRefused("sip.ims.identity", "'yes' is not one of [none, preferred, asserted]",
                refused("sip:\n  ims: {identity: 'yes'}\n"));
        assertRefused("sip.ims.origIoi", "needs chargingVector, the header it goes in",
                refused("sip:\n  ims: {origIoi: ims.example}\n"));
        assertRefused("sip.ims.trusted", "'pcscf.ims.example' is not an IP address",
                refused("sip:\n  ims: {trusted: [pcscf.ims.example]}\n"));
    }

    @Test
    void sipDtmfIsAutoUnlessSaidAndAnythingElseStopsTheStart() {
        assertEquals(GatewayConfig.DtmfMode.AUTO, NO_ENV.defaults().sip().dtmf());
        assertEquals(GatewayConfig.DtmfMode.INFO, NO_ENV.fromYaml("sip:\n  dtmf: info\n").sip().dtmf());
        assertEquals(GatewayConfig.DtmfMode.RFC4733, NO_ENV.fromYaml("sip:\n  dtmf: rfc4733\n").sip().dtmf());
        assertEquals(GatewayConfig.DtmfMode.INFO,
                new ConfigLoader(Map.of("PASSERELLE_SIP_DTMF", "info")).fromYaml("sip:\n  dtmf: rfc4733\n").sip().dtmf(),
                "the environment wins over the file");
        assertRefused("sip.dtmf", "'rfc2833' is not one of [info, rfc4733, auto]", refused("sip:\n  dtmf: rfc2833\n"));
        assertRefused("sip.dtmf", "'INFO' is not one of [info, rfc4733, auto]", refused("sip:\n  dtmf: INFO\n"));
    }

    @Test
    void rtpengineInjectDtmfIsSettableByEnvironment() {
        GatewayConfig c = new ConfigLoader(Map.of("PASSERELLE_MEDIA_RTPENGINE_INJECTDTMF", "false"))
                .fromYaml("media:\n  anchor: rtpengine\n  rtpengine: {ng: \"udp:127.0.0.1:2223\"}\n");
        assertEquals("false", String.valueOf(c.media().settings().get("injectDtmf")));
    }

    @Test
    void outboundProxyKeepaliveAndDnsServersAreRead() {
        assertEquals(Duration.ofSeconds(30), NO_ENV.defaults().sip().outboundProxyKeepalive());
        assertEquals(List.of(), NO_ENV.defaults().sip().dnsServers());
        GatewayConfig c = NO_ENV.fromYaml("sip:\n  outboundProxyKeepalive: 0\n  dns: {servers: [\"127.0.0.1:5353\", \"[::1]:53\"]}\n");
        assertEquals(Duration.ZERO, c.sip().outboundProxyKeepalive());
        assertEquals(List.of("127.0.0.1:5353", "[::1]:53"), c.sip().dnsServers());
        assertEquals(List.of("10.0.0.53:53", "10.0.0.54:53"), new ConfigLoader(
                Map.of("PASSERELLE_SIP_DNS_SERVERS", "10.0.0.53:53, 10.0.0.54:53")).defaults().sip().dnsServers());
        assertRefused("sip.dns.servers", "'10.0.0.53' is not host:port", refused("sip:\n  dns: {servers: [10.0.0.53]}\n"));
        assertRefused("sip.dns.servers", "'::1:53' is not host:port", refused("sip:\n  dns: {servers: [\"::1:53\"]}\n"));
        assertRefused("sip.dns.servers", "'dns:0' is not host:port", refused("sip:\n  dns: {servers: [\"dns:0\"]}\n"));
        assertEquals("sip.outboundProxyKeepalive", refused("sip:\n  outboundProxyKeepalive: -1\n").key());
    }

    @Test
    void tlsNeedsAKeyStoreThatOpens(@TempDir Path dir) throws IOException {
        assertEquals(Optional.empty(), NO_ENV.defaults().sip().tls());
        assertRefused("sip.tls.keyStore", "required when sip.tls.port is set", refused("sip:\n  tls: {port: 5061}\n"));
        assertRefused("sip.tls.keyStorePassword", "required with sip.tls.keyStore",
                refused("sip:\n  tls: {keyStore: /nonexistent.p12}\n"));
        assertRefused("sip.tls.keyStore", "/nonexistent.p12 is not a readable file",
                refused("sip:\n  tls: {keyStore: /nonexistent.p12, keyStorePassword: x}\n"));
        Path garbage = Files.writeString(dir.resolve("garbage.p12"), "not a key store");
        ConfigException unreadable = refused("sip:\n  tls: {keyStore: '" + garbage + "', keyStorePassword: x}\n");
        assertEquals("sip.tls.keyStore", unreadable.key());
        assertRefused("sip.tls.port", "must differ from sip.port (5070): TLS runs over TCP, which already listens there",
                refused("sip:\n  port: 5070\n  tls: {port: 5070, keyStore: '" + garbage + "', keyStorePassword: x}\n"));
        assertRefused("sip.tls.clientAuth", "'maybe' is not one of [none, want, need]",
                refused("sip:\n  tls: {clientAuth: maybe}\n"));
    }

    @Test
    void aKeyWrittenTwiceIsRefused() {
        ConfigException e = refused("sip:\n  host: 127.0.0.1\n  port: 5070\n  host: \"::1\"\n");
        assertEquals("(yaml)", e.key());
        assertTrue(e.getMessage().contains("Duplicate field 'host'"), e.getMessage());
    }

    @Test
    void defaultNodeIdIsHostNameAndPid() {
        String id = NO_ENV.defaults().node().id();
        String suffix = "-" + ProcessHandle.current().pid();
        assertTrue(id.endsWith(suffix) && id.length() > suffix.length(), id);
    }

    @Test
    void emptyOrCommentOnlyYamlGivesTheDefaults() {
        assertEquals(5060, NO_ENV.fromYaml("").sip().port());
        assertEquals(5060, NO_ENV.fromYaml("# nothing set yet\n").sip().port());
    }

    @Test
    void yamlValuesAreRead() {
        GatewayConfig c = NO_ENV.fromYaml("""
                node:
                  id: gw-1
                websocket:
                  host: 127.0.0.1
                  port: 0
                  path: /rpc
                  maxMessageBytes: 2048
                  idleTimeout: 300
                  pingInterval: 20
                sip:
                  host: 10.0.0.2
                  port: 5070
                  domain: example.com
                  outboundProxy: "sip:10.0.0.5:5060;transport=udp"
                  registrar: sips:ims.example.com
                  userAgent: Passerelle test
                  ringTimeout: 30
                  registration:
                    expires: 300
                    retryBase: 5
                qos:
                  turn:
                    urls: [turn:turn.example.com:3478, turns:turn.example.com:5349]
                    secret: s3cret
                    ttl: 3600
                session:
                  resumeWindow: 0
                  eventLogLimit: 50
                  updateTimeout: 4
                connectors:
                  dir: /opt/passerelle/connectors
                  watch: false
                  quietPeriod: 250
                """);

        assertEquals("gw-1", c.node().id());
        assertEquals("127.0.0.1", c.websocket().host());
        assertEquals(0, c.websocket().port());
        assertEquals("/rpc", c.websocket().path());
        assertEquals(2048, c.websocket().maxMessageBytes());
        assertEquals(Duration.ofSeconds(300), c.websocket().idleTimeout());
        assertEquals(Duration.ofSeconds(20), c.websocket().pingInterval());
        assertEquals("10.0.0.2", c.sip().host());
        assertEquals(5070, c.sip().port());
        assertEquals("example.com", c.sip().domain());
        assertEquals(Optional.of("sip:10.0.0.5:5060;transport=udp"), c.sip().outboundProxy());
        assertEquals(Optional.of("sips:ims.example.com"), c.sip().registrar());
        assertEquals("Passerelle test", c.sip().userAgent());
        assertEquals(Duration.ofSeconds(30), c.sip().ringTimeout());
        assertEquals(Duration.ofSeconds(300), c.sip().registrationExpires());
        assertEquals(Duration.ofSeconds(5), c.sip().registrationRetryBase());
        assertEquals(Map.of("urls", List.of("turn:turn.example.com:3478", "turns:turn.example.com:5349"),
                "secret", "s3cret", "ttl", 3600), c.qos().settings());
        assertEquals(Duration.ZERO, c.session().resumeWindow());
        assertEquals(50, c.session().eventLogLimit());
        assertEquals(Duration.ofSeconds(4), c.session().updateTimeout());
        assertEquals("/opt/passerelle/connectors", c.connectors().dir());
        assertFalse(c.connectors().watch());
        assertEquals(Duration.ofMillis(250), c.connectors().quietPeriod());
    }

    @Test
    void connectorsWatchIsTrueOrFalse() {
        assertFalse(new ConfigLoader(Map.of("PASSERELLE_CONNECTORS_WATCH", "FALSE")).defaults().connectors().watch());
        ConfigException e = assertThrows(ConfigException.class, () -> NO_ENV.fromYaml("connectors:\n  watch: yes please\n"));
        assertEquals("connectors.watch: 'yes please' is not true or false", e.getMessage());
    }

    @Test
    void connectorsQuietPeriodIsBounded() {
        ConfigException e = assertThrows(ConfigException.class, () -> NO_ENV.fromYaml("connectors:\n  quietPeriod: 10\n"));
        assertEquals("connectors.quietPeriod: must be between 50 and 60000, was 10", e.getMessage());
    }

    @Test
    void fromFileReadsTheFile(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("gw.yaml"), "sip:\n  port: 5080\n");
        assertEquals(5080, NO_ENV.fromFile(file).sip().port());
    }

    @Test
    void missingFileIsReportedAgainstTheConfigOption(@TempDir Path dir) {
        Path missing = dir.resolve("absent.yaml");
        ConfigException e = assertThrows(ConfigException.class, () -> NO_ENV.fromFile(missing));
        assertEquals("--config", e.key());
        assertTrue(e.getMessage().startsWith("--config: cannot read " + missing + ": "), e.getMessage());
    }

    @Test
    void environmentBeatsYaml() {
        ConfigLoader loader = new ConfigLoader(Map.of("PASSERELLE_SIP_PORT", "5062"));
        assertEquals(5062, loader.fromYaml("sip:\n  port: 5070\n").sip().port());
        assertEquals(5062, loader.defaults().sip().port());
    }

    @Test
    void environmentNamesUpperCaseCamelCaseKeys() {
        ConfigLoader loader = new ConfigLoader(Map.of("PASSERELLE_SIP_OUTBOUNDPROXY", "sip:proxy.example.com;lr"));
        assertEquals(Optional.of("sip:proxy.example.com;lr"), loader.defaults().sip().outboundProxy());
    }

    @Test
    void environmentListIsCommaSeparated() {
        ConfigLoader loader = new ConfigLoader(Map.of("PASSERELLE_MEDIA_CODECS_AUDIO", " PCMU ,PCMA,, "));
        GatewayConfig c = loader.fromYaml("media:\n  codecs:\n    audio: [opus]\n");
        assertEquals(List.of("PCMU", "PCMA"), c.media().audioCodecs());
    }

    @Test
    void theQosTurnSubtreeGoesToTheConnectorWithTheEnvironmentApplied() {
        ConfigLoader loader = new ConfigLoader(Map.of(
                "PASSERELLE_QOS_TURN_URLS", "turn:env.example.com",
                "PASSERELLE_QOS_TURN_REPORTS_AUTHORIZATION", "Bearer from-env"));
        GatewayConfig c = loader.fromYaml("""
                qos:
                  turn:
                    urls: [turn:yaml.example.com]
                    reports:
                      uri: https://qos.example.com/reports
                      batchSize: 20
                """);
        // The environment wins, as text (the connector reads a comma-separated list); what it
        // does not set below reports stays as YAML gave it.
        assertEquals(Map.of("urls", "turn:env.example.com", "reports", Map.of(
                "uri", "https://qos.example.com/reports", "batchSize", 20, "authorization", "Bearer from-env")),
                c.qos().settings());
        assertEquals(Map.of(), new ConfigLoader(Map.of()).defaults().qos().settings());
    }

    @Test
    void environmentValuesAreValidatedLikeYaml() {
        ConfigLoader loader = new ConfigLoader(Map.of("PASSERELLE_SIP_PORT", "abc"));
        assertRefused("sip.port", "'abc' is not a whole number", refused(loader, ""));
    }

    @Test
    void variablesOfOtherProgramsAreIgnored() {
        ConfigLoader loader = new ConfigLoader(Map.of("SIP_PORT", "1", "PASSERELLE", "x"));
        assertEquals(5060, loader.defaults().sip().port());
    }

    @Test
    void portOutOfRange() {
        assertRefused("sip.port", "must be between 0 and 65535, was 70000", refused("sip:\n  port: 70000\n"));
        assertRefused("session.updateTimeout", "must be between 1 and 120, was 0", refused("session:\n  updateTimeout: 0\n"));
    }

    @Test
    void portNotANumber() {
        assertRefused("websocket.port", "'abc' is not a whole number", refused("websocket:\n  port: abc\n"));
    }

    @Test
    void portNotWhole() {
        assertRefused("sip.port", "'5060.5' is not a whole number", refused("sip:\n  port: 5060.5\n"));
    }

    @Test
    void pathMustStartWithSlash() {
        assertRefused("websocket.path", "'ws' must be a URL path starting with '/'", refused("websocket:\n  path: ws\n"));
    }

    @Test
    void hostMayNotHoldASlash() {
        assertRefused("sip.host", "'10.0.0.0/8' is not a host name or IP address", refused("sip:\n  host: 10.0.0.0/8\n"));
    }

    @Test
    void emptyValueOfARequiredKey() {
        assertRefused("sip.domain", "must not be empty", refused("sip:\n  domain: ''\n"));
    }

    @Test
    void domainMustBeAToken() {
        assertRefused("sip.domain", "'exa mple' may hold only letters, digits, '.', '-' and '_'",
                refused("sip:\n  domain: exa mple\n"));
    }

    @Test
    void unknownNestedKey() {
        assertRefused("sip.prot", "unknown key (docs/configuration.md lists every key)", refused("sip:\n  prot: 5060\n"));
    }

    @Test
    void unknownTopLevelKey() {
        assertRefused("colour", "unknown key (docs/configuration.md lists every key)", refused("colour: blue\n"));
    }

    @Test
    void unknownKeyDeepInAKnownSection() {
        assertRefused("store.redis.url", "unknown key (docs/configuration.md lists every key)",
                refused("store:\n  redis:\n    url: redis://localhost\n"));
    }

    /**
     * A flat dotted key looks like it sets {@code sip.port} but the loader reads nested mappings
     * only; accepting it would silently run on the default port.
     */
    @Test
    void flatDottedKeyIsRefusedNotIgnored() {
        assertRefused("sip.port", "write it as nested mappings (sip:, then port: below it); a key may not contain '.'",
                refused("sip.port: 5062\n"));
    }

    @Test
    void dottedKeyInsideASectionIsRefused() {
        assertRefused("qos.turn.ttl", "write it as nested mappings (turn:, then ttl: below it); a key may not contain '.'",
                refused("qos:\n  turn.ttl: 600\n"));
    }

    @Test
    void sessionTimerDefaultsYamlAndEnvironment() {
        assertEquals(GatewayConfig.SessionTimerConfig.DEFAULT, NO_ENV.defaults().sip().sessionTimer());
        GatewayConfig.SessionTimerConfig lab = NO_ENV.fromYaml(
                "sip:\n  sessionTimer:\n    enabled: false\n    expires: 4\n    minSE: 2\n").sip().sessionTimer();
        assertEquals(new GatewayConfig.SessionTimerConfig(false, Duration.ofSeconds(4), Duration.ofSeconds(2)), lab);
        assertEquals(Duration.ofSeconds(600), new ConfigLoader(Map.of("PASSERELLE_SIP_SESSIONTIMER_EXPIRES", "600"))
                .defaults().sip().sessionTimer().expires());
    }

    @Test
    void sessionTimerExpiresMayNotBeBelowMinSe() {
        assertRefused("sip.sessionTimer.expires", "must be at least sip.sessionTimer.minSE (120 s): "
                + "RFC 4028 §4 never asks for less than Min-SE",
                refused("sip:\n  sessionTimer:\n    expires: 100\n    minSE: 120\n"));
        assertRefused("sip.sessionTimer.minSE", "must be between 2 and 86400, was 1",
                refused("sip:\n  sessionTimer:\n    minSE: 1\n"));
    }

    @Test
    void pingIntervalMustBeShorterThanIdleTimeout() {
        assertRefused("websocket.pingInterval", "must be shorter than websocket.idleTimeout (60 s), "
                + "or idle connections close before they are pinged",
                refused("websocket:\n  idleTimeout: 60\n  pingInterval: 60\n"));
    }

    @Test
    void qosSettingsAreTheSelectedConnectorsSubtree() {
        GatewayConfig c = NO_ENV.fromYaml("""
                qos:
                  turn:
                    urls: [turn:turn.example.com:3478]
                    ttl: 59
                  other:
                    colour: blue
                """);
        assertEquals("turn", c.qos().connector());
        // Checked by the connector, not here: a ttl of 59 is refused when the gateway starts.
        assertEquals(Map.of("urls", List.of("turn:turn.example.com:3478"), "ttl", 59), c.qos().settings());
        assertEquals(Map.of("colour", "blue"), NO_ENV.fromYaml("qos:\n  connector: other\n  other:\n    colour: blue\n")
                .qos().settings());
    }

    @Test
    void theContractsConnectorKeysAreSettableByEnvironmentVariable() {
        GatewayConfig c = new ConfigLoader(Map.of(
                "PASSERELLE_QOS_TURN_URLS", "turn:a.example.com, turns:b.example.com",
                "PASSERELLE_QOS_TURN_SECRET", "north-wind",
                "PASSERELLE_QOS_TURN_TTL", "600",
                "PASSERELLE_MEDIA_ANCHOR", "rtpengine",
                "PASSERELLE_MEDIA_RTPENGINE_NG", "udp:10.0.0.1:2223, udp:10.0.0.2:2223",
                "PASSERELLE_IDENTITY_CONNECTOR", "jwt",
                "PASSERELLE_IDENTITY_JWT_JWKSURI", "https://idp.example.com/jwks.json"))
                .fromYaml("qos:\n  turn:\n    secret: overridden\n    urls: [turn:c.example.com]\n");
        assertEquals(Map.of("urls", "turn:a.example.com, turns:b.example.com", "secret", "north-wind", "ttl", "600"),
                c.qos().settings(), "the environment wins over YAML, as for every key");
        assertEquals("rtpengine", c.media().anchor());
        assertEquals(Map.of("ng", "udp:10.0.0.1:2223, udp:10.0.0.2:2223"), c.media().settings());
        assertEquals(Map.of("jwksUri", "https://idp.example.com/jwks.json"), c.identity().settings());
    }

    @Test
    void mediaSettingsAreTheSelectedAnchorsSubtreeBesideTheCodecPolicy() {
        GatewayConfig c = new ConfigLoader(Map.of()).fromYaml("""
                media:
                  anchor: rtpengine
                  rtpengine:
                    ng: [ "udp:127.0.0.1:2223", "udp:[::1]:2224" ]
                    tries: 2
                  codecs:
                    audio: [ PCMA, telephone-event ]
                """);
        assertEquals("rtpengine", c.media().anchor());
        assertEquals(Map.of("ng", List.of("udp:127.0.0.1:2223", "udp:[::1]:2224"), "tries", 2), c.media().settings());
        assertEquals(List.of("PCMA", "telephone-event"), c.media().audioCodecs());
        assertEquals(Map.of(), NO_ENV.fromYaml("media:\n  rtpengine:\n    ng: udp:127.0.0.1:2223\n").media().settings(),
                "the subtree of an anchor not selected is accepted but not handed over");
    }

    @Test
    void anchorNameMustBeAConnectorName() {
        assertRefused("media.anchor", "'my anchor' may hold only letters, digits, '.', '-' and '_'",
                refused("media:\n  anchor: my anchor\n"));
        assertRefused("media.anchor", "'codecs' is the codec policy's section, not a media connector",
                refused("media:\n  anchor: codecs\n"));
    }

    @Test
    void everyProviderGetsItsOwnSubtree() {
        GatewayConfig c = NO_ENV.fromYaml("""
                providers:
                  webhook:
                    pattern: "*@partner.example"
                  chat:
                    url: https://chat.example.com
                """);
        assertEquals(Map.of("webhook", Map.of("pattern", "*@partner.example"),
                "chat", Map.of("url", "https://chat.example.com")), c.providers());
        assertRefused("providers.webhook", "must be a mapping", refused("providers:\n  webhook: on\n"));
        assertRefused("providers", "must be a mapping of provider names to their settings", refused("providers: [a]\n"));
    }

    @Test
    void redisStore() {
        GatewayConfig c = NO_ENV.fromYaml("store:\n  type: redis\n  redis:\n    uri: redis://localhost:6379\n"
                + "    timeout: 500\n    prefix: \"pa:\"\n");
        assertEquals("redis", c.store().type());
        assertEquals(Optional.of("redis://localhost:6379"), c.store().redisUri());
        assertEquals(Duration.ofMillis(500), c.store().redisTimeout());
        assertEquals("pa:", c.store().redisPrefix());
        assertEquals(Optional.of("redis-cluster://10.0.0.1:7000,10.0.0.2:7000"), NO_ENV.fromYaml(
                "store:\n  type: redis\n  redis:\n    uri: redis-cluster://10.0.0.1:7000,10.0.0.2:7000\n")
                .store().redisUri());
    }

    @Test
    void redisStoreNeedsAUsableUri() {
        assertRefused("store.redis.uri", "required when store.type is redis", refused("store:\n  type: redis\n"));
        assertRefused("store.redis.uri", "'http://localhost:6379' is not a redis://, rediss://, redis-cluster:// or"
                + " rediss-cluster:// URI with a host",
                refused("store:\n  type: redis\n  redis:\n    uri: http://localhost:6379\n"));
        assertRefused("store.redis.prefix", "'a{b}' may not contain '{', '}' or spaces (braces would break Redis"
                + " Cluster hash tags)", refused("store:\n  redis:\n    prefix: a{b}\n"));
    }

    @Test
    void unknownStoreType() {
        assertRefused("store.type", "'disk' is not one of [memory, redis]", refused("store:\n  type: disk\n"));
    }

    @Test
    void codecPolicyIsChecked() {
        assertRefused("media.codecs.audio", "'pcmu' is listed twice",
                refused("media:\n  codecs:\n    audio: [PCMU, pcmu]\n"));
        assertRefused("media.codecs.audio", "'G.711/8000' is not a codec name",
                refused("media:\n  codecs:\n    audio: [G.711/8000]\n"));
        assertRefused("media.codecs.audio", "must name at least one voice codec",
                refused("media:\n  codecs:\n    audio: [telephone-event]\n"));
    }

    @Test
    void embeddedAnchorIsNotAvailableYet() {
        assertRefused("media.anchor", "'embedded' is not available in this version; use 'passthrough' or 'rtpengine'",
                refused("media:\n  anchor: embedded\n"));
    }

    @Test
    void invalidYaml() {
        ConfigException e = refused("sip:\n  port: [5060\n");
        assertEquals("(yaml)", e.key());
        assertTrue(e.getMessage().startsWith("(yaml): not valid YAML: "), e.getMessage());
        assertTrue(e.getMessage().contains(" at line "), e.getMessage());
    }

    @Test
    void rootMustBeAMapping() {
        assertRefused("(root)", "the configuration must be a YAML mapping", refused("- sip\n- websocket\n"));
        assertRefused("(root)", "the configuration must be a YAML mapping", refused("just words\n"));
    }

    @Test
    void outboundProxyMustBeASipUri() {
        assertRefused("sip.outboundProxy", "'http://proxy.example.com' is not a sip: or sips: URI",
                refused("sip:\n  outboundProxy: http://proxy.example.com\n"));
    }

    @Test
    void outboundProxyFromTheEnvironmentIsCheckedToo() {
        ConfigLoader loader = new ConfigLoader(Map.of("PASSERELLE_SIP_OUTBOUNDPROXY", "10.0.0.5:5060"));
        assertRefused("sip.outboundProxy", "'10.0.0.5:5060' is not a sip: or sips: URI", refused(loader, ""));
    }

    @Test
    void listWhereAScalarIsExpected() {
        assertRefused("sip.port", "must be a single value, not a list", refused("sip:\n  port: [5060, 5061]\n"));
    }

    @Test
    void mappingWhereAScalarIsExpected() {
        assertRefused("sip.domain", "must be a single value, not a mapping", refused("sip:\n  domain:\n    name: x\n"));
    }

    @Test
    void connectorSubtreeIsPassedThroughUntouched() {
        GatewayConfig c = NO_ENV.fromYaml("""
                identity:
                  connector: static
                  static:
                    users:
                      - {user: alice, token: t-alice, displayName: Alice}
                      - {user: bob, token: 1234, sipUri: "sip:bob@pbx.example.com"}
                """);
        assertEquals("static", c.identity().connector());
        // Values keep their YAML types (1234 stays a number): the connector does its own checks.
        assertEquals(Map.of("users", List.of(
                Map.of("user", "alice", "token", "t-alice", "displayName", "Alice"),
                Map.of("user", "bob", "token", 1234, "sipUri", "sip:bob@pbx.example.com"))),
                c.identity().settings());
    }

    @Test
    void connectorSubtreeIsNotCheckedByTheLoader() {
        // Unknown keys inside identity.static are the connector's business, reported by it.
        GatewayConfig c = NO_ENV.fromYaml("identity:\n  static:\n    colour: blue\n");
        assertEquals(Map.of("colour", "blue"), c.identity().settings());
    }

    @Test
    void subtreeOfAnotherConnectorIsAcceptedButNotHandedOver() {
        GatewayConfig c = NO_ENV.fromYaml("""
                identity:
                  connector: static
                  static:
                    users: [{user: alice, token: a}]
                  jwt:
                    jwksUri: https://idp.example.com/jwks.json
                    issuer: https://idp.example.com
                """);
        assertEquals("static", c.identity().connector());
        assertEquals(Map.of("users", List.of(Map.of("user", "alice", "token", "a"))), c.identity().settings());
    }

    @Test
    void selectedConnectorSubtreeFollowsTheSelection() {
        ConfigLoader loader = new ConfigLoader(Map.of("PASSERELLE_IDENTITY_CONNECTOR", "jwt"));
        GatewayConfig c = loader.fromYaml("identity:\n  jwt:\n    secret: k\n  static:\n    users: []\n");
        assertEquals("jwt", c.identity().connector());
        assertEquals(Map.of("secret", "k"), c.identity().settings());
    }

    @Test
    void selectedConnectorSubtreeMustBeAMapping() {
        assertRefused("identity.static", "must be a mapping", refused("identity:\n  static: [alice]\n"));
    }

    @Test
    void scalarUnderIdentityIsAnUnknownKey() {
        assertRefused("identity.jwt", "unknown key (docs/configuration.md lists every key)",
                refused("identity:\n  jwt: on\n"));
    }

    @Test
    void connectorNameMustBeAToken() {
        assertRefused("identity.connector", "'my connector' may hold only letters, digits, '.', '-' and '_'",
                refused("identity:\n  connector: my connector\n"));
    }
}
