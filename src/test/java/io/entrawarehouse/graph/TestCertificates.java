package io.entrawarehouse.graph;

import java.io.OutputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObjectGenerator;

/** A throw-away app certificate, written in the file forms users bring. */
public record TestCertificates(KeyPair keys, X509Certificate certificate) {

  public static TestCertificates create(String subject) throws Exception {
    return create(subject, "RSA", 2048, "SHA256withRSA");
  }

  public static TestCertificates create(
      String subject, String keyAlgorithm, int keySize, String signatureAlgorithm)
      throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance(keyAlgorithm);
    generator.initialize(keySize);
    KeyPair keys = generator.generateKeyPair();
    Instant now = Instant.now();
    X500Name name = new X500Name("CN=" + subject);
    X509Certificate certificate =
        new JcaX509CertificateConverter()
            .getCertificate(
                new JcaX509v3CertificateBuilder(
                        name,
                        BigInteger.valueOf(now.toEpochMilli()),
                        Date.from(now.minus(Duration.ofDays(1))),
                        Date.from(now.plus(Duration.ofDays(365))),
                        name,
                        keys.getPublic())
                    .build(
                        new JcaContentSignerBuilder(signatureAlgorithm).build(keys.getPrivate())));
    return new TestCertificates(keys, certificate);
  }

  /** PEM with an unencrypted PKCS#8 key ("PRIVATE KEY") after the certificate. */
  public Path pkcs8Pem(Path file) throws Exception {
    return pem(file, new JcaPKCS8Generator(keys.getPrivate(), null));
  }

  /** PEM with a PBES2/AES-256 encrypted PKCS#8 key ("ENCRYPTED PRIVATE KEY"). */
  public Path encryptedPem(Path file, String password) throws Exception {
    return pem(
        file,
        new JcaPKCS8Generator(
            keys.getPrivate(),
            new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
                .setProvider(new BouncyCastleProvider())
                .setPassword(password.toCharArray())
                .build()));
  }

  /** PEM with a PKCS#1 key ("RSA PRIVATE KEY"), as older openssl writes it. */
  public Path pkcs1Pem(Path file) throws Exception {
    return pem(file, new JcaMiscPEMGenerator(keys.getPrivate()));
  }

  private Path pem(Path file, PemObjectGenerator key) throws Exception {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      writer.writeObject(certificate);
      writer.writeObject(key);
    }
    Files.writeString(file, text.toString());
    return file;
  }

  /** A PFX (PKCS#12) file protected by a password. */
  public Path pfx(Path file, String password) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry(
        "app", keys.getPrivate(), password.toCharArray(), new Certificate[] {certificate});
    try (OutputStream out = Files.newOutputStream(file)) {
      store.store(out, password.toCharArray());
    }
    return file;
  }
}
