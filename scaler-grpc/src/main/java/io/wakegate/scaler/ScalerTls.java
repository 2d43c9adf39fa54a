package io.wakegate.scaler;

import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * TLS for the scaler's gRPC ports, from PEM files.
 *
 * @param certChain  the server's certificate chain (PEM)
 * @param privateKey the server's private key (PEM, PKCS#8: {@code BEGIN PRIVATE KEY})
 * @param clientCa   CA certificates (PEM) client certificates must chain to; when set,
 *                   clients must present one (mutual TLS); null for server-only TLS
 */
public record ScalerTls(Path certChain, Path privateKey, Path clientCa) {

    public ScalerTls {
        Objects.requireNonNull(certChain, "certChain");
        Objects.requireNonNull(privateKey, "privateKey");
        requireReadable("certChain", certChain);
        requireReadable("privateKey", privateKey);
        if (clientCa != null) {
            requireReadable("clientCa", clientCa);
        }
    }

    /** Credentials for a gRPC server; plaintext when {@code tls} is null. */
    static ServerCredentials credentials(ScalerTls tls) throws IOException {
        if (tls == null) {
            return InsecureServerCredentials.create();
        }
        TlsServerCredentials.Builder b = TlsServerCredentials.newBuilder()
                .keyManager(tls.certChain.toFile(), tls.privateKey.toFile());
        if (tls.clientCa != null) {
            b.trustManager(tls.clientCa.toFile()).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
        }
        return b.build();
    }

    private static void requireReadable(String field, Path p) {
        if (!Files.isReadable(p)) {
            throw new IllegalArgumentException(field + ": " + p + " (expected: a readable PEM file)");
        }
    }
}
