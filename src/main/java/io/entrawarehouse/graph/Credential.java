package io.entrawarehouse.graph;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;

/**
 * How the app proves who it is to Entra ID. {@link #toString()} and {@link #describe()} never print
 * a secret, a password or a key.
 */
public sealed interface Credential
    permits Credential.ClientSecret, Credential.ClientCertificate, Credential.UsernamePassword {

  /** The application (client) id. */
  String clientId();

  /** What kind of credential this is, for output: no secret in it. */
  String describe();

  /** A client secret (confidential client, client-credentials flow). */
  record ClientSecret(String clientId, String secret) implements Credential {
    @Override
    public String describe() {
      return "client secret";
    }

    @Override
    public String toString() {
      return "ClientSecret[clientId=" + clientId + ", secret=***]";
    }
  }

  /**
   * A certificate and its private key (confidential client; MSAL signs a client assertion with it).
   *
   * @param chain the certificate first, then its issuers if the file had them
   * @param source the file it came from
   */
  record ClientCertificate(
      String clientId, PrivateKey key, List<X509Certificate> chain, String source)
      implements Credential {
    @Override
    public String describe() {
      return "client certificate " + source + " (SHA-1 thumbprint " + thumbprint() + ")";
    }

    /** The SHA-1 thumbprint Entra shows for the certificate in the app registration. */
    public String thumbprint() {
      try {
        return HexFormat.of()
            .withUpperCase()
            .formatHex(MessageDigest.getInstance("SHA-1").digest(chain.get(0).getEncoded()));
      } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
        return "unknown";
      }
    }

    @Override
    public String toString() {
      return "ClientCertificate[clientId=" + clientId + ", source=" + source + ", key=***]";
    }
  }

  /**
   * A user's name and password (public client, the resource-owner password flow). The app
   * registration must allow public client flows, and the user must not need MFA.
   */
  record UsernamePassword(String clientId, String username, String password) implements Credential {
    @Override
    public String describe() {
      return "username and password of " + username;
    }

    @Override
    public String toString() {
      return "UsernamePassword[clientId=" + clientId + ", username=" + username + ", password=***]";
    }
  }
}
