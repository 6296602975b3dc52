package io.convene.config;

import java.net.URI;
import java.net.URISyntaxException;

/** What may be printed of configuration values: connection URLs without their credentials. */
public final class Redact {
  private Redact() {}

  /**
   * {@code postgresql://app:secret@db:5432/convene?password=x} → {@code postgresql://app:***@db:5432/convene?password=***}:
   * the password of the user part and of any password-like query parameter is masked.
   */
  public static String url(String url) {
    if (url == null) {
      return null;
    }
    String out = url;
    try {
      URI uri = new URI(url);
      String info = uri.getRawUserInfo();
      if (info != null) {
        int colon = info.indexOf(':');
        String masked = colon >= 0 ? info.substring(0, colon) + ":***" : "***";
        out = out.replace(info + "@", masked + "@");
      }
    } catch (URISyntaxException e) {
      // not a URI: mask anything between "//" and "@" below
      out = out.replaceAll("//[^/@]*@", "//***@");
    }
    return out.replaceAll("(?i)((?:password|passwd|pwd|secret|token|sslpassword)=)[^&]*", "$1***");
  }
}
