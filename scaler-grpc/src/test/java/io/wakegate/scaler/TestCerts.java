package io.wakegate.scaler;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away CA with a server certificate (SAN localhost, 127.0.0.1) and a client
 * certificate, written as PEM files (keys PKCS#8) into a directory. Offline, made per test.
 */
public final class TestCerts {

    private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime());

    public final Path caCert;
    public final Path serverCert;
    public final Path serverKey;
    public final Path clientCert;
    public final Path clientKey;
    /** A second CA nothing is signed by: trusting only it must fail. */
    public final Path otherCaCert;

    public TestCerts(Path dir) throws Exception {
        KeyPair ca = ecKeys();
        X509Certificate caCertificate = sign("CN=wakegate-test-ca", ca, "CN=wakegate-test-ca", ca.getPrivate(), true);
        KeyPair server = ecKeys();
        X509Certificate serverCertificate = sign("CN=localhost", server, "CN=wakegate-test-ca", ca.getPrivate(), false);
        KeyPair client = ecKeys();
        X509Certificate clientCertificate = sign("CN=interceptor", client, "CN=wakegate-test-ca", ca.getPrivate(), false);
        KeyPair other = ecKeys();
        X509Certificate otherCa = sign("CN=other-ca", other, "CN=other-ca", other.getPrivate(), true);
        caCert = write(dir.resolve("ca.pem"), pem("CERTIFICATE", caCertificate.getEncoded()));
        serverCert = write(dir.resolve("server.pem"), pem("CERTIFICATE", serverCertificate.getEncoded()));
        serverKey = write(dir.resolve("server.key"), key(server.getPrivate()));
        clientCert = write(dir.resolve("client.pem"), pem("CERTIFICATE", clientCertificate.getEncoded()));
        clientKey = write(dir.resolve("client.key"), key(client.getPrivate()));
        otherCaCert = write(dir.resolve("other-ca.pem"), pem("CERTIFICATE", otherCa.getEncoded()));
    }

    private static KeyPair ecKeys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static X509Certificate sign(String subject, KeyPair subjectKeys, String issuer,
                                        PrivateKey issuerKey, boolean ca) throws Exception {
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name(issuer),
                BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(1, ChronoUnit.HOURS)),
                Date.from(now.plus(1, ChronoUnit.DAYS)), new X500Name(subject), subjectKeys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        if (!ca) {
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, InetAddress.getLoopbackAddress().getHostAddress()),
            }));
        }
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
    }

    private static String key(PrivateKey key) {
        return pem("PRIVATE KEY", key.getEncoded()); // PKCS#8
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static Path write(Path path, String text) throws IOException {
        return Files.writeString(path, text);
    }
}
