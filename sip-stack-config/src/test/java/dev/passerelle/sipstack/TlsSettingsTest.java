package dev.passerelle.sipstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsSettingsTest {

    @TempDir
    static Path dir;
    private static Path keys;

    /** A real PKCS12 key store with one self-signed key, made by the JDK's keytool. */
    @BeforeAll
    static void keyStore() throws Exception {
        keys = dir.resolve("gw.p12");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "gw", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=gw.test",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", keys.toString(), "-storepass", "secret1")
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "keytool did not finish");
        assertEquals(0, p.exitValue(), new String(p.getInputStream().readAllBytes()));
    }

    private static TlsSettings settings(Path keyStore, String password, Optional<Path> trust) {
        return new TlsSettings(0, keyStore, password, "PKCS12", trust, Optional.of("secret1"),
                TlsSettings.ClientAuth.WANT);
    }

    @Test
    void theStackReadsTheStoresFromItsOwnProperties() {
        TlsSettings tls = settings(keys, "secret1", Optional.of(keys));
        Properties p = SipStackProperties.toProperties(SipStackSettings.builder(SipStackSettings.Profile.DEFAULT)
                .tls(tls).build());
        assertEquals(keys.toAbsolutePath().toString(), p.getProperty("javax.net.ssl.keyStore"));
        assertEquals("secret1", p.getProperty("javax.net.ssl.keyStorePassword"));
        assertEquals(keys.toAbsolutePath().toString(), p.getProperty("javax.net.ssl.trustStore"));
        assertEquals("Want", p.getProperty("gov.nist.javax.sip.TLS_CLIENT_AUTH_TYPE"));
        assertFalse(tls.toString().contains("secret1"), "passwords stay out of logs: " + tls);
    }

    @Test
    void withoutATrustStoreTheJvmsCasAreTrustedNotTheKeyStore() throws Exception {
        Properties p = SipStackProperties.toProperties(SipStackSettings.builder(SipStackSettings.Profile.DEFAULT)
                .tls(settings(keys, "secret1", Optional.empty())).build());
        Path cacerts = Path.of(p.getProperty("javax.net.ssl.trustStore"));
        KeyStore ks = KeyStore.getInstance(p.getProperty("javax.net.ssl.trustStoreType"));
        try (var in = Files.newInputStream(cacerts)) {
            ks.load(in, p.getProperty("javax.net.ssl.trustStorePassword").toCharArray());
        }
        assertTrue(ks.size() > 10, "the JVM's CA file: " + cacerts);
    }

    @Test
    void aStoreThatCannotBeOpenedIsRefusedNamingItsField() throws IOException {
        IllegalArgumentException wrongPassword = assertThrows(IllegalArgumentException.class,
                () -> settings(keys, "wrong", Optional.empty()));
        assertTrue(wrongPassword.getMessage().startsWith("keyStore: "), wrongPassword.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> settings(dir.resolve("none.p12"), "secret1", Optional.empty()));
        assertTrue(missing.getMessage().endsWith("is not a readable file"), missing.getMessage());
        Path garbage = Files.writeString(dir.resolve("garbage.p12"), "not a key store");
        IllegalArgumentException trust = assertThrows(IllegalArgumentException.class,
                () -> settings(keys, "secret1", Optional.of(garbage)));
        assertTrue(trust.getMessage().startsWith("trustStore: "), trust.getMessage());
        for (int port : List.of(-1, 65536)) {
            assertThrows(IllegalArgumentException.class, () -> new TlsSettings(port, keys, "secret1", "PKCS12",
                    Optional.empty(), Optional.empty(), TlsSettings.ClientAuth.NONE));
        }
    }
}
