package dev.passerelle.peers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A test certificate authority and the PKCS12 stores SIP over TLS needs, made with the JDK's own
 * {@code keytool}: a CA, keys it signs for {@code 127.0.0.1}, keys nobody signs, and a trust store
 * holding the CA. Every store has the password {@link #PASSWORD}.
 */
public final class Certificates {

    public static final String PASSWORD = "changeit-tests";

    private final Path dir;
    private final Path ca;
    private final Path caCert;

    private Certificates(Path dir) {
        this.dir = dir;
        this.ca = dir.resolve("ca.p12");
        this.caCert = dir.resolve("ca.pem");
    }

    /** A new CA in {@code dir}. */
    public static Certificates authority(Path dir) {
        Certificates c = new Certificates(dir);
        c.keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=Passerelle Test CA", "-ext", "bc:c", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", c.ca.toString(), "-storepass", PASSWORD);
        c.keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", c.ca.toString(), "-storepass", PASSWORD,
                "-file", c.caCert.toString());
        return c;
    }

    /** A key store whose key the CA signed for {@code CN=name}, with 127.0.0.1 as its address. */
    public Path signed(String name) {
        return signedFor(name, "ip:127.0.0.1");
    }

    /** A key store whose key the CA signed for {@code CN=name} and the subjectAltNames {@code san}. */
    public Path signedFor(String name, String san) {
        Path store = dir.resolve(name + ".p12");
        Path request = dir.resolve(name + ".csr");
        Path cert = dir.resolve(name + ".pem");
        keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
                "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", PASSWORD);
        keytool("-certreq", "-alias", name, "-keystore", store.toString(), "-storepass", PASSWORD,
                "-file", request.toString());
        keytool("-gencert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-storepass", PASSWORD,
                "-infile", request.toString(), "-outfile", cert.toString(), "-ext", "san=" + san,
                "-validity", "2");
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caCert.toString(),
                "-keystore", store.toString(), "-storepass", PASSWORD);
        keytool("-importcert", "-alias", name, "-file", cert.toString(), "-keystore", store.toString(),
                "-storepass", PASSWORD);
        return store;
    }

    /** A key store whose key signs itself: no one who trusts only the CA trusts it. */
    public Path selfSigned(String name) {
        Path store = dir.resolve(name + ".p12");
        keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
                "-ext", "san=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", PASSWORD);
        return store;
    }

    /** A trust store holding the CA's certificate only. */
    public Path trustStore() {
        Path store = dir.resolve("trust.p12");
        if (!Files.exists(store)) {
            keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caCert.toString(), "-storetype", "PKCS12",
                    "-keystore", store.toString(), "-storepass", PASSWORD);
        }
        return store;
    }

    private void keytool(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + out);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run keytool", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running keytool", e);
        }
    }
}
