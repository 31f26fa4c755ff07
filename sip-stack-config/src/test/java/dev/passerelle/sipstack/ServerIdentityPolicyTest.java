package dev.passerelle.sipstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gov.nist.javax.sip.message.MessageFactoryImpl;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.sip.message.Request;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerIdentityPolicyTest {

    @TempDir
    static Path dir;
    private static X509Certificate proxy;
    private static X509Certificate noAltNames;

    /** Certificates made by the JDK's keytool, as a proxy's would be. */
    @BeforeAll
    static void certificates() throws Exception {
        proxy = certificate("proxy", "CN=proxy.ims.example", "san=dns:proxy.ims.example,ip:127.0.0.1,ip:::1");
        noAltNames = certificate("bare", "CN=proxy.ims.example", null);
    }

    private static X509Certificate certificate(String alias, String dname, String san) throws Exception {
        Path store = dir.resolve(alias + ".p12");
        ProcessBuilder keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", dname,
                "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "secret1");
        if (san != null) {
            keytool.command().addAll(List.of("-ext", san));
        }
        Process p = keytool.redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "keytool did not finish");
        assertEquals(0, p.exitValue(), new String(p.getInputStream().readAllBytes()));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, "secret1".toCharArray());
        }
        return (X509Certificate) ks.getCertificate(alias);
    }

    @Test
    void theCertificateMustNameTheHostExactly() {
        assertTrue(ServerIdentityPolicy.names(proxy, "proxy.ims.example"));
        assertTrue(ServerIdentityPolicy.names(proxy, "PROXY.ims.example"), "DNS names compare without case");
        assertTrue(ServerIdentityPolicy.names(proxy, "127.0.0.1"));
        assertTrue(ServerIdentityPolicy.names(proxy, "[0:0:0:0:0:0:0:1]"), "IPv6 compared as an address");
        assertFalse(ServerIdentityPolicy.names(proxy, "pcscf.ims.example"));
        assertFalse(ServerIdentityPolicy.names(proxy, "ims.example"), "no parent domains");
        assertFalse(ServerIdentityPolicy.names(proxy, "10.0.0.5"));
        assertFalse(ServerIdentityPolicy.names(noAltNames, "proxy.ims.example"),
                "a CN alone does not name a SIP server here");
    }

    @Test
    void theIntendedHostIsTheFirstRouteElseTheRequestUri() throws Exception {
        String invite = "INVITE sips:bob@biloxi.example SIP/2.0\r\n"
                + "Via: SIP/2.0/TLS 10.0.0.1:5061;branch=z9hG4bK776asdhds\r\n"
                + "Max-Forwards: 70\r\nTo: <sips:bob@biloxi.example>\r\n"
                + "From: <sips:alice@atlanta.example>;tag=1928301774\r\nCall-ID: a84b4c76e66710\r\n"
                + "CSeq: 1 INVITE\r\n%sContent-Length: 0\r\n\r\n";
        Request direct = new MessageFactoryImpl().createRequest(invite.formatted(""));
        assertEquals("biloxi.example", ServerIdentityPolicy.intendedHost(direct));
        Request proxied = new MessageFactoryImpl().createRequest(
                invite.formatted("Route: <sips:proxy.ims.example;lr>, <sips:scscf.ims.example;lr>\r\n"));
        assertEquals("proxy.ims.example", ServerIdentityPolicy.intendedHost(proxied));
    }
}
