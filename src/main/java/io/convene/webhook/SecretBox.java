package io.convene.webhook;

import io.convene.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keeps webhook secrets encrypted at rest: AES-256-GCM under a key from configuration
 * ({@code webhooks.secretKey}), or, when none is set, a key derived from {@code auth.jwtSecret}. A stored
 * secret reads {@code v1:<base64 nonce+ciphertext>}; only when neither key exists (JWKS-only
 * deployments without a webhook key) is it stored as {@code plain:<secret>}, and the server warns.
 */
final class SecretBox {
  private static final String SEALED = "v1:";
  private static final String PLAIN = "plain:";
  private static final int NONCE = 12;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec key;

  private SecretBox(SecretKeySpec key) {
    this.key = key;
  }

  /** The box of this configuration: the configured key, else one derived from the JWT secret, else none. */
  static SecretBox from(String configuredKey, String jwtSecret) {
    if (configuredKey != null) {
      byte[] bytes;
      try {
        bytes = Base64.getDecoder().decode(configuredKey.strip());
      } catch (IllegalArgumentException e) {
        throw new ConfigException("webhooks.secretKey", "expected base64 of 32 random bytes");
      }
      if (bytes.length != 32) {
        throw new ConfigException("webhooks.secretKey", "expected base64 of 32 random bytes, got " + bytes.length + " bytes");
      }
      return new SecretBox(new SecretKeySpec(bytes, "AES"));
    }
    if (jwtSecret != null) {
      try {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(jwtSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return new SecretBox(new SecretKeySpec(
            mac.doFinal("convene webhook secrets v1".getBytes(StandardCharsets.UTF_8)), "AES"));
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
    return new SecretBox(null);
  }

  boolean encrypts() {
    return key != null;
  }

  String seal(String secret) {
    if (key == null) {
      return PLAIN + secret;
    }
    try {
      byte[] nonce = new byte[NONCE];
      RANDOM.nextBytes(nonce);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
      byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
      byte[] out = Arrays.copyOf(nonce, NONCE + sealed.length);
      System.arraycopy(sealed, 0, out, NONCE, sealed.length);
      return SEALED + Base64.getEncoder().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  /** The secret a stored value holds; fails when the configured key is not the one it was sealed with. */
  String open(String stored) {
    if (stored.startsWith(PLAIN)) {
      return stored.substring(PLAIN.length());
    }
    if (!stored.startsWith(SEALED) || key == null) {
      throw new IllegalStateException("the webhook's secret cannot be read: no key, or not the key it was stored with");
    }
    try {
      byte[] in = Base64.getDecoder().decode(stored.substring(SEALED.length()));
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, in, 0, NONCE));
      return new String(cipher.doFinal(in, NONCE, in.length - NONCE), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalStateException("the webhook's secret cannot be decrypted with the configured key");
    }
  }
}
