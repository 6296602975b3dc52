package io.convene.webhook;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.List;

/**
 * Where webhooks may be delivered. A target URL is {@code http(s)://host[:port]/path} without
 * credentials; unless private targets are allowed, every address its host resolves to must be public:
 * loopback, private (RFC 1918, shared 100.64/10, IPv6 ULA), link-local, multicast, unspecified and
 * broadcast addresses are refused. The check runs when a webhook is registered and again before each
 * connection, which then goes to the address that was checked (so a name that changed to a private
 * address in between is refused, not followed).
 */
public final class Targets {
  public static final int MAX_URL_LENGTH = 2048;

  /** Resolves a host name to its addresses (off the event loop). */
  @FunctionalInterface
  public interface Resolver {
    Future<List<InetAddress>> resolve(String host);
  }

  /** Where to connect for a URL: the checked address (null: let the client resolve), and the request's parts. */
  public record Target(SocketAddress server, String host, int port, String requestUri, boolean ssl) {}

  private final boolean allowPrivate;
  private final Resolver resolver;

  public Targets(boolean allowPrivate, Resolver resolver) {
    this.allowPrivate = allowPrivate;
    this.resolver = resolver;
  }

  /** Resolution with the JVM's resolver on a worker thread. */
  public static Resolver system(Vertx vertx) {
    return host -> vertx.executeBlocking(() -> Arrays.asList(InetAddress.getAllByName(host)), false);
  }

  public boolean allowPrivate() {
    return allowPrivate;
  }

  /** What is wrong with a URL as a webhook target (its form only); null when nothing is. */
  public static String formProblem(String url) {
    if (url.length() > MAX_URL_LENGTH) {
      return "must have at most " + MAX_URL_LENGTH + " characters";
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      return "is not a valid URL";
    }
    String scheme = uri.getScheme();
    if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
      return "must be an http:// or https:// URL";
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      return "must name a host";
    }
    if (uri.getRawUserInfo() != null) {
      return "must not carry credentials";
    }
    if (uri.getRawFragment() != null) {
      return "must not have a fragment";
    }
    if (uri.getPort() == 0 || uri.getPort() > 65_535) {
      return "has an invalid port";
    }
    return null;
  }

  /**
   * Checks that the URL's host resolves to allowed addresses only; fails with the reason otherwise.
   * Used at registration; when private targets are allowed, nothing is resolved.
   */
  public Future<Void> check(String url) {
    if (allowPrivate) {
      return Future.succeededFuture();
    }
    return connectTo(url).mapEmpty();
  }

  /** Where to connect for {@code url}: the first address of its host, once every address is checked. */
  public Future<Target> connectTo(String url) {
    URI uri = URI.create(url);
    boolean ssl = uri.getScheme().equalsIgnoreCase("https");
    String host = bareHost(uri.getHost());
    int port = uri.getPort() > 0 ? uri.getPort() : ssl ? 443 : 80;
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    String requestUri = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    if (allowPrivate) {
      return Future.succeededFuture(new Target(null, host, port, requestUri, ssl));
    }
    return resolver.resolve(host)
        .recover(err -> Future.failedFuture(new TargetRefused("the host " + host + " cannot be resolved")))
        .map(addresses -> {
          if (addresses.isEmpty()) {
            throw new TargetRefused("the host " + host + " has no address");
          }
          for (InetAddress a : addresses) {
            String why = refusal(a);
            if (why != null) {
              throw new TargetRefused("the host " + host + " resolves to " + a.getHostAddress() + ", " + why
                  + " (refused unless webhooks.allowPrivateTargets is on)");
            }
          }
          return new Target(SocketAddress.inetSocketAddress(port, addresses.get(0).getHostAddress()), host, port,
              requestUri, ssl);
        });
  }

  /** Why an address is not a public one; null when it is. */
  public static String refusal(InetAddress a) {
    byte[] b = a.getAddress();
    if (a.isAnyLocalAddress()) {
      return "an unspecified address";
    }
    if (a.isLoopbackAddress()) {
      return "a loopback address";
    }
    if (a.isLinkLocalAddress()) {
      return "a link-local address";
    }
    if (a.isMulticastAddress()) {
      return "a multicast address";
    }
    if (a.isSiteLocalAddress()) {
      return "a private address";
    }
    if (a instanceof Inet4Address) {
      int first = b[0] & 0xff;
      int second = b[1] & 0xff;
      if (first == 0) {
        return "an unspecified address";
      }
      if (first == 100 && second >= 64 && second < 128) {
        return "a private (shared) address";
      }
      if (first == 255 && (b[1] & b[2] & b[3] & 0xff) == 0xff) {
        return "a broadcast address";
      }
      if (first >= 240) {
        return "a reserved address";
      }
    }
    if (a instanceof Inet6Address) {
      if ((b[0] & 0xfe) == 0xfc) {
        return "a private (unique local) address";
      }
      if (isMappedV4(b)) {
        try {
          return refusal(InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16)));
        } catch (java.net.UnknownHostException e) {
          return "an invalid address";
        }
      }
    }
    return null;
  }

  private static boolean isMappedV4(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
  }

  private static String bareHost(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  /** A target that must not be delivered to, with the reason. */
  public static final class TargetRefused extends RuntimeException {
    TargetRefused(String message) {
      super(message, null, false, false);
    }
  }
}
