package io.entrawarehouse.simulator;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The simulator's certificates: the bundled self-signed server certificate for 127.0.0.1 and
 * localhost (MSAL refuses an http authority), what a client needs to trust it, and the demo app's
 * certificate credential.
 */
final class Tls {

  private static final String KEYSTORE_PASSWORD = "simulator";
  private static final String DEMO_APP_PASSWORD = "demo-app";

  private final SSLContext server;
  private final X509Certificate certificate;

  Tls() {
    KeyStore keyStore = load("localhost.p12", KEYSTORE_PASSWORD);
    try {
      this.certificate = (X509Certificate) keyStore.getCertificate("simulator");
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keyStore, KEYSTORE_PASSWORD.toCharArray());
      this.server = SSLContext.getInstance("TLS");
      server.init(kmf.getKeyManagers(), null, null);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the bundled simulator certificate cannot be loaded", e);
    }
  }

  SSLContext server() {
    return server;
  }

  X509Certificate certificate() {
    return certificate;
  }

  String certificatePem() {
    try {
      return "-----BEGIN CERTIFICATE-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
              .encodeToString(certificate.getEncoded())
          + "\n-----END CERTIFICATE-----\n";
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the simulator certificate cannot be encoded", e);
    }
  }

  SSLContext clientContext() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {clientTrustManager()}, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot build a trust store for the simulator", e);
    }
  }

  X509TrustManager clientTrustManager() {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("entra-warehouse-simulator", certificate);
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      return (X509TrustManager) tmf.getTrustManagers()[0];
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build a trust store for the simulator", e);
    }
  }

  static GraphSimulator.DemoCertificate demoApp() {
    KeyStore store = load("demo-app.p12", DEMO_APP_PASSWORD);
    try {
      return new GraphSimulator.DemoCertificate(
          (PrivateKey) store.getKey("demo-app", DEMO_APP_PASSWORD.toCharArray()),
          (X509Certificate) store.getCertificate("demo-app"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the bundled demo app certificate cannot be loaded", e);
    }
  }

  private static KeyStore load(String resource, String password) {
    try (InputStream in = Tls.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing bundled resource " + resource);
      }
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, password.toCharArray());
      return store;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot load bundled key store " + resource, e);
    }
  }
}
