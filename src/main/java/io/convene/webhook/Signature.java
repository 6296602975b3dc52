package io.convene.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Standard Webhooks signature: {@code v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">}, keyed
 * by the bytes of the secret ({@code whsec_} + base64 of 24–64 random bytes).
 */
public final class Signature {
  public static final String SECRET_PREFIX = "whsec_";
  private static final int SECRET_BYTES = 32;
  private static final SecureRandom RANDOM = new SecureRandom();

  private Signature() {}

  /** A new secret: {@code whsec_} + base64 of 32 random bytes. */
  public static String newSecret() {
    byte[] bytes = new byte[SECRET_BYTES];
    RANDOM.nextBytes(bytes);
    return SECRET_PREFIX + Base64.getEncoder().encodeToString(bytes);
  }

  /** The key a secret stands for: its base64 part, decoded. */
  public static byte[] key(String secret) {
    String encoded = secret.startsWith(SECRET_PREFIX) ? secret.substring(SECRET_PREFIX.length()) : secret;
    byte[] key = Base64.getDecoder().decode(encoded);
    if (key.length < 24 || key.length > 64) {
      throw new IllegalArgumentException("a webhook secret holds 24 to 64 bytes");
    }
    return key;
  }

  /** The {@code webhook-signature} header value for a message. */
  public static String sign(byte[] key, String messageId, long timestampSeconds, String body) {
    return "v1," + Base64.getEncoder().encodeToString(hmac(key, messageId + "." + timestampSeconds + "." + body));
  }

  /** Whether one of the space-separated signatures of {@code header} is this message's (constant time). */
  public static boolean verify(byte[] key, String messageId, long timestampSeconds, String body, String header) {
    byte[] expected = sign(key, messageId, timestampSeconds, body).getBytes(StandardCharsets.UTF_8);
    boolean ok = false;
    for (String candidate : header.split(" ")) {
      ok |= MessageDigest.isEqual(expected, candidate.getBytes(StandardCharsets.UTF_8));
    }
    return ok;
  }

  private static byte[] hmac(byte[] key, String content) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(content.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
