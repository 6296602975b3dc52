package io.convene.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.protocol.Events;
import io.convene.protocol.Requests;
import io.convene.testing.ServerTestBase;
import io.convene.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code /metrics} after some traffic (REST requests, sockets, a socket request, a presence change seen
 * by a watcher, a ring): Vert.x's own figures, the JVM's, and Convene's meters and histograms are there,
 * and so is every metric the shipped Grafana dashboard queries.
 */
@org.junit.jupiter.api.Timeout(120)
class MetricsIT extends ServerTestBase {
  private static final Pattern METRIC = Pattern.compile("\\b((?:convene|vertx|jvm|process|system)_[a-z0-9_]+)");
  private static String scrape;

  @BeforeAll
  void someTraffic() {
    String alice = user("alice");
    String bob = user("bob");
    WsClient a = server.socket(alice);
    a.awaitEvent(Events.SESSION_WELCOME);
    JsonObject ack = a.request(Requests.PRESENCE_SUBSCRIBE, new JsonObject().put("userIds", new JsonArray().add(bob)));
    assertThat(ack.getBoolean("ok")).as(ack.encode()).isTrue();
    WsClient b = server.socket(bob);
    b.awaitEvent(Events.SESSION_WELCOME);
    a.awaitEvent(Events.PRESENCE_UPDATE, d -> bob.equals(d.getString("userId")) && "online".equals(d.getString("status")));
    api.instantCall(alice, bob);
    b.awaitEvent(Events.CALL_INCOMING);
    json(server.get("/api/meetings", server.token(alice)), 200);
    scrape = server.get("/metrics", null).bodyAsString();
    try {
      Files.writeString(Path.of("target/metrics-sample.txt"), scrape);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    a.close();
    b.close();
  }

  @Test
  void vertxAndJvmFiguresArePublished() {
    assertThat(names()).contains(
        "vertx_http_server_requests_total", "vertx_http_server_response_time_seconds_bucket",
        "vertx_http_server_active_connections", "vertx_http_server_active_ws_connections",
        "vertx_eventbus_published_total", "vertx_eventbus_handlers",
        "vertx_pool_in_use", "vertx_pool_queue_pending",
        "jvm_memory_used_bytes", "jvm_gc_memory_allocated_bytes_total", "jvm_threads_live_threads",
        "process_cpu_usage", "jvm_memory_heap_used_bytes", "process_resident_memory_bytes");
  }

  @Test
  void conveneCountersKeepTheirNames() {
    assertThat(names()).contains("convene_sockets_open", "convene_sockets_accepted_total",
        "convene_sockets_closed_by_server_total", "convene_frames_delivered_total", "convene_socket_requests_total",
        "convene_events_duplicates_dropped_total", "convene_presence_untold_total", "convene_outbox_completed_total",
        "convene_outbox_retried_total", "convene_outbox_redelivered_total", "convene_outbox_turned_dead_total",
        "convene_outbox_dead", "convene_webhook_attempts_total", "convene_webhooks_disabled_total",
        "convene_presence_frames_coalesced_total", "convene_frames_dropped_total", "convene_rate_limited_total");
    assertThat(scrape).contains("convene_rate_limited_total{limit=\"gateway_inbound\"}")
        .contains("convene_sockets_closed_by_server_total{reason=\"too_slow\"}");
    assertThat(value("convene_sockets_accepted_total")).isGreaterThanOrEqualTo(2);
  }

  @Test
  void latencyHistogramsHaveCountsAfterTraffic() {
    for (String histogram : List.of("convene_socket_request_seconds", "convene_event_delivery_seconds",
        "convene_presence_delivery_seconds", "convene_ring_delivery_seconds")) {
      assertThat(scrape).as(histogram).contains(histogram + "_bucket{");
      double count = scrape.lines().filter(l -> l.startsWith(histogram + "_count"))
          .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
      assertThat(count).as(histogram + " observations").isPositive();
    }
    assertThat(scrape).as("SLO buckets, not hundreds of percentile buckets")
        .contains("vertx_http_server_response_time_seconds_bucket{code=\"200\",method=\"GET\",le=\"0.005\"}");
    assertThat(scrape.lines().filter(l -> l.startsWith("convene_ring_delivery_seconds_bucket")).count()).isLessThan(20);
  }

  @Test
  void everyMetricOfTheDashboardExists() throws Exception {
    JsonObject dashboard = new JsonObject(Files.readString(Path.of("docs/grafana-dashboard.json")));
    Set<String> used = new TreeSet<>();
    collectExpressions(dashboard, used);
    assertThat(used).as("metrics the dashboard queries").isNotEmpty();
    Set<String> published = names();
    assertThat(used.stream().filter(n -> !published.contains(n)).toList()).as("dashboard metrics missing from /metrics")
        .isEmpty();
  }

  private static void collectExpressions(Object node, Set<String> into) {
    if (node instanceof JsonObject o) {
      for (var e : o) {
        if (e.getKey().equals("expr") && e.getValue() instanceof String expr) {
          Matcher m = METRIC.matcher(expr);
          while (m.find()) {
            into.add(m.group(1));
          }
        } else {
          collectExpressions(e.getValue(), into);
        }
      }
    } else if (node instanceof JsonArray a) {
      a.forEach(v -> collectExpressions(v, into));
    }
  }

  /** The names of the samples in the scrape. */
  private static Set<String> names() {
    return scrape.lines().filter(l -> !l.startsWith("#") && !l.isBlank())
        .map(l -> l.split("[{ ]", 2)[0]).collect(Collectors.toCollection(TreeSet::new));
  }

  private static double value(String name) {
    return scrape.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }
}
