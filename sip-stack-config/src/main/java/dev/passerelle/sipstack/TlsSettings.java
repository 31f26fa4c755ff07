package dev.passerelle.sipstack;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Collections;
import java.util.Objects;
import java.util.Optional;

/**
 * SIP over TLS: the gateway's certificate (server and client alike) from a key store, and the
 * certificates it trusts. Peers' certificate chains are always verified against the trust store
 * (the JVM's default CAs when none is given); there is deliberately no switch to turn that off.
 * The constructor loads both stores, so a wrong path, password or type fails at start.
 *
 * @param port the TLS listening port; 0 picks a free one
 * @param keyStore the key store holding the gateway's private key and certificate chain
 * @param keyStorePassword its password (also the key's)
 * @param keyStoreType {@code PKCS12} or {@code JKS}
 * @param trustStore the certificates the gateway trusts, or empty for the JVM's default CAs
 * @param trustStorePassword the trust store's password, or empty when it has none
 * @param clientAuth whether peers connecting to the gateway must show a certificate
 */
public record TlsSettings(
        int port,
        Path keyStore,
        String keyStorePassword,
        String keyStoreType,
        Optional<Path> trustStore,
        Optional<String> trustStorePassword,
        ClientAuth clientAuth) {

    /** What the gateway asks of the peers that connect to its TLS port. */
    public enum ClientAuth {
        /** No certificate asked for. */
        NONE,
        /** A certificate asked for and verified when given; a peer without one is let in. */
        WANT,
        /** No connection without a certificate the trust store verifies (mutual TLS). */
        NEED
    }

    /** @throws IllegalArgumentException naming the field that is wrong */
    public TlsSettings {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: must be between 0 and 65535, was " + port);
        }
        Objects.requireNonNull(keyStore, "keyStore");
        Objects.requireNonNull(keyStorePassword, "keyStorePassword");
        Objects.requireNonNull(keyStoreType, "keyStoreType");
        Objects.requireNonNull(clientAuth, "clientAuth");
        KeyStore keys = load("keyStore", keyStore, keyStoreType, keyStorePassword);
        try {
            if (Collections.list(keys.aliases()).stream().noneMatch(a -> isKey(keys, a))) {
                throw new IllegalArgumentException("keyStore: " + keyStore + " holds no private key");
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("keyStore: " + keyStore + " cannot be read: " + e.getMessage(), e);
        }
        trustStore.ifPresent(t -> load("trustStore", t, keyStoreType, trustStorePassword.orElse("")));
    }

    private static boolean isKey(KeyStore store, String alias) {
        try {
            return store.isKeyEntry(alias);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static KeyStore load(String field, Path file, String type, String password) {
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException(field + ": " + file + " is not a readable file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance(type);
            store.load(in, password.toCharArray());
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(field + ": " + file + " cannot be opened as " + type
                    + " with the password given: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "TlsSettings[port=" + port + ", keyStore=" + keyStore + ", trustStore=" + trustStore
                + ", clientAuth=" + clientAuth + "]";
    }
}
