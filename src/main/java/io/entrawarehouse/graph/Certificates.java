package io.entrawarehouse.graph;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.EncryptionException;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;

/**
 * Reads a client certificate and its private key from a PEM file (the form {@code az ad sp
 * create-for-rbac --create-cert} and openssl write: PKCS#8, encrypted PKCS#8, PKCS#1) or a PFX /
 * PKCS#12 file, with an optional password. Errors name the file and what to fix, never the
 * password.
 */
public final class Certificates {

  /** Bouncy Castle's provider, used directly (not registered JVM-wide) for PEM key decryption. */
  private static final java.security.Provider BC = new BouncyCastleProvider();

  private Certificates() {}

  /**
   * @param password the key's or the PFX's password, or null
   * @throws IllegalArgumentException naming the file and the fix
   */
  public static Credential.ClientCertificate load(String clientId, Path file, String password) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "Cannot read the client certificate "
              + file
              + " ("
              + e.getClass().getSimpleName()
              + "): check AZURE_CLIENT_CERTIFICATE_PATH.",
          e);
    }
    boolean pem = new String(bytes, StandardCharsets.US_ASCII).contains("-----BEGIN ");
    KeyAndChain read = pem ? pem(file, bytes, password) : pkcs12(file, bytes, password);
    if (read.key == null) {
      throw new IllegalArgumentException(
          "The client certificate "
              + file
              + " holds no private key: give a PEM with both the private key and the certificate,"
              + " or a PFX exported with its private key.");
    }
    if (read.chain.isEmpty()) {
      throw new IllegalArgumentException(
          "The client certificate file "
              + file
              + " holds a private key but no certificate: append the certificate (PEM) to it.");
    }
    if (!"RSA".equals(read.key.getAlgorithm())) {
      throw new IllegalArgumentException(
          "The private key in "
              + file
              + " is "
              + read.key.getAlgorithm()
              + "; Entra ID client assertions are signed with RSA: create an RSA certificate for"
              + " the app registration.");
    }
    return new Credential.ClientCertificate(
        clientId, read.key, leafFirst(read.key, read.chain), file.toString());
  }

  private record KeyAndChain(PrivateKey key, List<X509Certificate> chain) {}

  private static KeyAndChain pem(Path file, byte[] bytes, String password) {
    PrivateKey key = null;
    List<X509Certificate> chain = new ArrayList<>();
    JcaPEMKeyConverter keys = new JcaPEMKeyConverter().setProvider(BC);
    JcaX509CertificateConverter certs = new JcaX509CertificateConverter();
    try (Reader reader =
            new InputStreamReader(new ByteArrayInputStream(bytes), StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(reader)) {
      for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
        if (o instanceof X509CertificateHolder holder) {
          chain.add(certs.getCertificate(holder));
        } else if (o instanceof PrivateKeyInfo info) {
          key = keys.getPrivateKey(info);
        } else if (o instanceof PEMKeyPair pair) {
          key = keys.getKeyPair(pair).getPrivate();
        } else if (o instanceof PKCS8EncryptedPrivateKeyInfo encrypted) {
          requirePassword(file, password);
          key =
              keys.getPrivateKey(
                  encrypted.decryptPrivateKeyInfo(
                      new JceOpenSSLPKCS8DecryptorProviderBuilder()
                          .setProvider(BC)
                          .build(password.toCharArray())));
        } else if (o instanceof PEMEncryptedKeyPair encrypted) {
          requirePassword(file, password);
          key =
              keys.getKeyPair(
                      encrypted.decryptKeyPair(
                          new JcePEMDecryptorProviderBuilder()
                              .setProvider(BC)
                              .build(password.toCharArray())))
                  .getPrivate();
        }
      }
    } catch (PKCSException | EncryptionException e) {
      throw wrongPassword(file, e);
    } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
      if (e.getCause() instanceof GeneralSecurityException) {
        throw wrongPassword(file, e);
      }
      throw new IllegalArgumentException(
          "The client certificate " + file + " is not a readable PEM file: " + e.getMessage(), e);
    }
    return new KeyAndChain(key, chain);
  }

  private static KeyAndChain pkcs12(Path file, byte[] bytes, String password) {
    char[] pass = password == null ? new char[0] : password.toCharArray();
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(new ByteArrayInputStream(bytes), pass);
      for (String alias : Collections.list(store.aliases())) {
        if (store.isKeyEntry(alias)) {
          Key key = store.getKey(alias, pass);
          List<X509Certificate> chain = new ArrayList<>();
          Certificate[] certificates = store.getCertificateChain(alias);
          if (certificates != null) {
            for (Certificate c : certificates) {
              chain.add((X509Certificate) c);
            }
          }
          return new KeyAndChain((PrivateKey) key, chain);
        }
      }
      return new KeyAndChain(null, List.of());
    } catch (IOException e) {
      if (e.getCause() instanceof UnrecoverableKeyException
          || String.valueOf(e.getMessage()).contains("password")) {
        throw wrongPassword(file, e);
      }
      throw new IllegalArgumentException(
          "The client certificate "
              + file
              + " is neither a PEM file nor a PFX (PKCS#12) file: "
              + e.getMessage(),
          e);
    } catch (GeneralSecurityException e) {
      throw wrongPassword(file, e);
    }
  }

  /** Puts the certificate that matches the key first (PEM files list them in any order). */
  private static List<X509Certificate> leafFirst(PrivateKey key, List<X509Certificate> chain) {
    if (key instanceof RSAPrivateCrtKey rsa) {
      for (X509Certificate c : chain) {
        if (c.getPublicKey() instanceof RSAPublicKey pub
            && pub.getModulus().equals(rsa.getModulus())) {
          List<X509Certificate> ordered = new ArrayList<>(chain);
          ordered.remove(c);
          ordered.add(0, c);
          return ordered;
        }
      }
      throw new IllegalArgumentException(
          "The private key does not belong to any certificate in the file: put the key and its"
              + " own certificate together.");
    }
    return chain;
  }

  private static void requirePassword(Path file, String password) {
    if (password == null || password.isEmpty()) {
      throw new IllegalArgumentException(
          "The private key in "
              + file
              + " is encrypted: set AZURE_CLIENT_CERTIFICATE_PASSWORD (or the tenant's"
              + " client-certificate-password).");
    }
  }

  private static IllegalArgumentException wrongPassword(Path file, Exception cause) {
    return new IllegalArgumentException(
        "Cannot decrypt the client certificate "
            + file
            + " with the password given: check AZURE_CLIENT_CERTIFICATE_PASSWORD (or the tenant's"
            + " client-certificate-password).",
        cause);
  }
}
