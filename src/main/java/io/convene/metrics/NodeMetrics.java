package io.convene.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.micrometer.impl.MicrometerMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * The metrics of one node: a Prometheus registry of its own, which Vert.x reports its HTTP, event bus,
 * pool and JVM figures to and the areas add their meters to. One registry per Vert.x instance, so the
 * nodes of a cluster in one JVM (tests) each count only themselves.
 */
public final class NodeMetrics {
  /** The buckets of every latency histogram: from a millisecond to ten seconds. */
  public static final Duration[] LATENCY_BUCKETS = {
      Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
      Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
      Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
      Duration.ofSeconds(10)};

  private static final double[] LATENCY_BUCKET_NANOS = java.util.Arrays.stream(LATENCY_BUCKETS)
      .mapToDouble(Duration::toNanos).toArray();
  private static final Clock WALL = Clock.systemUTC();

  private NodeMetrics() {}

  /** A Vert.x builder with metrics on, reporting to a fresh registry of this node. */
  public static VertxBuilder builder(VertxOptions options) {
    PrometheusMeterRegistry registry = newRegistry();
    options.setMetricsOptions(new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        .setRegistryName("convene-" + UUID.randomUUID())
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)));
    return Vertx.builder().with(options).withMetrics(new MicrometerMetricsFactory(registry));
  }

  /**
   * The registry Vert.x reports to; for a Vert.x built without metrics (some tests), a fresh registry
   * with Convene's meters only.
   */
  public static PrometheusMeterRegistry registryOf(Vertx vertx) {
    if (vertx instanceof VertxInternal internal && internal.metrics() instanceof MicrometerMetrics m
        && m.registry() instanceof PrometheusMeterRegistry registry) {
      return registry;
    }
    return newRegistry();
  }

  private static PrometheusMeterRegistry newRegistry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        if (id.getName().equals("vertx.http.server.response.time")) {
          return DistributionStatisticConfig.builder().serviceLevelObjectives(LATENCY_BUCKET_NANOS).build()
              .merge(config);
        }
        return config;
      }
    });
    return registry;
  }

  /** A latency histogram with the standard buckets. */
  public static Timer latency(MeterRegistry registry, String name, String description, String... tags) {
    return Timer.builder(name).description(description).tags(tags).serviceLevelObjectives(LATENCY_BUCKETS)
        .register(registry);
  }

  /**
   * The counter of requests refused by the rate limit {@code limit}
   * ({@code convene_rate_limited_total{limit="..."}}); build it once and keep it.
   */
  public static Counter rateLimited(MeterRegistry registry, String limit) {
    return Counter.builder("convene.rate.limited").description("requests refused by a rate limit")
        .tag("limit", limit).register(registry);
  }

  /** Wall-clock microseconds, as the stamps of messages measured across nodes (sharing the time through NTP). */
  private static long wallMicros() {
    Instant now = WALL.instant();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }


  /**
   * Records, {@code times} times, the time from {@code stampMicros} (wall-clock microseconds) until now;
   * nothing for a missing stamp.
   */
  public static void since(Timer timer, long stampMicros, int times) {
    if (stampMicros <= 0) {
      return;
    }
    long micros = Math.max(0, wallMicros() - stampMicros);
    for (int i = 0; i < times; i++) {
      timer.record(micros, java.util.concurrent.TimeUnit.MICROSECONDS);
    }
  }
}
