package io.convene.limit;

import io.convene.config.AppConfig;
import java.time.Clock;
import java.time.Duration;

/**
 * The rate limits of one node, shared by its event loops: where strangers reach (REST, failed
 * authentications, socket handshakes, guest registrations and asks). Sockets per user are counted by the
 * gateway. All per node (see {@link RateLimiter}).
 */
public final class Limits {
  public final RateLimiter restPerIp;
  public final RateLimiter authFailuresPerIp;
  public final RateLimiter handshakesPerIp;
  public final RateLimiter guestRegistrationsPerIp;
  public final RateLimiter guestRegistrationsPerLink;
  public final RateLimiter guestAsksPerSession;
  private final AppConfig.Limits config;

  public Limits(AppConfig.Limits config, Clock clock) {
    this.config = config;
    boolean on = config.enabled();
    this.restPerIp = new RateLimiter("requests from this address", on ? config.restPerIpPerSecond() : 0,
        config.restPerIpBurst(), clock);
    this.authFailuresPerIp = RateLimiter.per("failed authentications from this address",
        on ? config.authFailuresPerIpPerMinute() : 0, Duration.ofMinutes(1), clock);
    this.handshakesPerIp = new RateLimiter("socket connections from this address",
        on ? config.handshakesPerIpPerSecond() : 0, config.handshakesPerIpBurst(), clock);
    this.guestRegistrationsPerIp = RateLimiter.per("guest registrations from this address",
        on ? config.guestRegistrationsPerIpPerMinute() : 0, Duration.ofMinutes(1), clock);
    this.guestRegistrationsPerLink = RateLimiter.per("guest registrations through this link",
        on ? config.guestRegistrationsPerLinkPerMinute() : 0, Duration.ofMinutes(1), clock);
    this.guestAsksPerSession = RateLimiter.per("requests to be let in",
        on ? config.guestAsksPerSessionPerMinute() : 0, Duration.ofMinutes(1), clock);
  }

  /** Tells {@code counters} (by limit: {@code rest_per_ip}, …) of every refusal. */
  public void countRefusals(java.util.function.Function<String, Runnable> counters) {
    restPerIp.onRefusal(counters.apply("rest_per_ip"));
    authFailuresPerIp.onRefusal(counters.apply("auth_failures_per_ip"));
    handshakesPerIp.onRefusal(counters.apply("handshakes_per_ip"));
    guestRegistrationsPerIp.onRefusal(counters.apply("guest_registrations_per_ip"));
    guestRegistrationsPerLink.onRefusal(counters.apply("guest_registrations_per_link"));
    guestAsksPerSession.onRefusal(counters.apply("guest_asks_per_session"));
  }

  /** Limits that allow everything (tests of other behaviours, tools). */
  public static Limits none() {
    return new Limits(new AppConfig.Limits(false, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0), Clock.systemUTC());
  }

  /** Sockets one user may hold on one node (0: any number). */
  public int socketsPerUser() {
    return config.enabled() ? config.socketsPerUser() : 0;
  }

  /** Live guest sessions one meeting's link may have (0: any number). */
  public int guestSessionsPerLink() {
    return config.enabled() ? config.guestSessionsPerLink() : 0;
  }

  /** Stored key bundles of one meeting's live guest sessions (0: any number). */
  public int keyBundlesPerLink() {
    return config.enabled() ? config.keyBundlesPerLink() : 0;
  }
}
