package io.convene.http;

import io.convene.gateway.GatewayStats;
import io.convene.outbox.Outbox;
import io.convene.outbox.OutboxStats;
import io.convene.presence.PresenceService;
import io.convene.webhook.WebhookStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code GET /metrics} in the Prometheus text format: the node's registry, which holds what Vert.x
 * measures (HTTP, event bus, pools, JVM) and Convene's own meters. The figures kept elsewhere as plain
 * counters are registered here once; the two that need I/O (resident memory, dead outbox effects) are
 * read, without blocking, before each scrape.
 */
public final class MetricsRoutes {
  private final PrometheusMeterRegistry registry;
  private final Outbox outbox;
  private final AtomicLong residentBytes = new AtomicLong(-1);
  private final AtomicLong deadEffects = new AtomicLong(-1);

  public MetricsRoutes(PrometheusMeterRegistry registry, GatewayStats stats, Outbox outbox, PresenceService presence,
      WebhookStats webhooks) {
    this.registry = registry;
    this.outbox = outbox;
    gauge("convene.sockets.open", "WebSocket connections open on this node", stats.socketsOpen, LongAdder::sum);
    counter("convene.sockets.accepted", "WebSocket connections accepted", stats.socketsAccepted);
    counter("convene.frames.delivered", "event frames written to sockets", stats.framesDelivered);
    counter("convene.socket.requests", "socket requests answered", stats.requestsHandled);
    counter("convene.events.duplicates.dropped", "durable events offered again and not delivered twice",
        stats.duplicatesDropped);
    FunctionCounter.builder("convene.presence.untold", presence, PresenceService::untold)
        .description("presence transitions told only to watchers: the co-participants of the user's meetings"
            + " could not be looked up")
        .register(registry);
    OutboxStats o = outbox.stats();
    counter("convene.outbox.completed", "outbox effects carried out", o.completed);
    counter("convene.outbox.retried", "outbox effects that failed and will be tried again", o.retried);
    counter("convene.outbox.redelivered", "outbox effects the dispatcher carried out (their node did not)",
        o.redelivered);
    counter("convene.outbox.turned.dead", "outbox effects that failed too often on this node", o.dead);
    gauge("convene.outbox.dead", "dead outbox effects waiting for an operator (whole cluster; -1: unknown)",
        deadEffects, AtomicLong::get);
    webhook("succeeded", webhooks.succeeded);
    webhook("retried", webhooks.retried);
    webhook("failed", webhooks.failed);
    counter("convene.webhooks.disabled", "webhooks disabled after too many failed deliveries in a row",
        webhooks.disabled);
    Gauge.builder("jvm.memory.heap.used", () -> ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed())
        .description("heap in use").baseUnit("bytes").register(registry);
    Gauge.builder("jvm.memory.heap.committed",
            () -> ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted())
        .description("heap committed").baseUnit("bytes").register(registry);
    Gauge.builder("process.resident.memory", residentBytes, AtomicLong::get)
        .description("resident set size (-1: unknown)").baseUnit("bytes").register(registry);
  }

  public void mount(Router router) {
    router.get("/metrics").handler(rc -> {
      Future<Void> rss = rc.vertx().fileSystem().readFile("/proc/self/status")
          .map(status -> residentBytes(status.toString())).otherwise(-1L)
          .map(bytes -> {
            residentBytes.set(bytes);
            return null;
          });
      Future<Void> dead = outbox.deadCount().otherwise(-1L).map(count -> {
        deadEffects.set(count);
        return null;
      });
      Future.join(rss, dead).onComplete(ar -> rc.response()
          .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
          .end(registry.scrape()));
    });
  }

  private <T> void gauge(String name, String help, T source, java.util.function.ToDoubleFunction<T> value) {
    Gauge.builder(name, source, value).description(help).register(registry);
  }

  private void counter(String name, String help, LongAdder source) {
    FunctionCounter.builder(name, source, LongAdder::sum).description(help).register(registry);
  }

  private void webhook(String outcome, LongAdder source) {
    FunctionCounter.builder("convene.webhook.attempts", source, LongAdder::sum)
        .description("webhook delivery attempts, by outcome").tag("outcome", outcome).register(registry);
  }

  /** VmRSS from /proc/self/status (Linux); -1 elsewhere. */
  private static long residentBytes(String status) {
    for (String line : status.split("\n")) {
      if (line.startsWith("VmRSS:")) {
        try {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        } catch (NumberFormatException e) {
          return -1;
        }
      }
    }
    return -1;
  }
}
