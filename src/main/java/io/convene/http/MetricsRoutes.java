package io.convene.http;

import io.convene.gateway.GatewayStats;
import io.convene.outbox.Outbox;
import io.convene.outbox.OutboxStats;
import io.convene.presence.PresenceService;
import io.vertx.ext.web.Router;
import java.lang.management.ManagementFactory;

/**
 * {@code GET /metrics} in the Prometheus text format: sockets, delivered frames, socket requests, heap
 * and resident memory of the process.
 */
public final class MetricsRoutes {
  private final GatewayStats stats;
  private final Outbox outbox;
  private final PresenceService presence;

  public MetricsRoutes(GatewayStats stats, Outbox outbox, PresenceService presence) {
    this.stats = stats;
    this.outbox = outbox;
    this.presence = presence;
  }

  public void mount(Router router) {
    router.get("/metrics").handler(rc -> rc.vertx().fileSystem().readFile("/proc/self/status")
        .map(status -> residentBytes(status.toString()))
        .otherwise(-1L)
        .compose(rss -> outbox.deadCount().otherwise(-1L).map(dead -> new long[] {rss, dead}))
        .onSuccess(readings -> {
      long rss = readings[0];
      var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
      StringBuilder sb = new StringBuilder();
      gauge(sb, "convene_sockets_open", "WebSocket connections open on this node", stats.socketsOpen.sum());
      counter(sb, "convene_sockets_accepted_total", "WebSocket connections accepted", stats.socketsAccepted.sum());
      counter(sb, "convene_sockets_closed_by_server_total", "sockets closed for a policy reason",
          stats.socketsClosedByServer.sum());
      counter(sb, "convene_frames_delivered_total", "event frames written to sockets", stats.framesDelivered.sum());
      counter(sb, "convene_socket_requests_total", "socket requests answered", stats.requestsHandled.sum());
      gauge(sb, "jvm_memory_heap_used_bytes", "heap in use", heap.getUsed());
      gauge(sb, "jvm_memory_heap_committed_bytes", "heap committed", heap.getCommitted());
      gauge(sb, "process_resident_memory_bytes", "resident set size", rss);
      counter(sb, "convene_events_duplicates_dropped_total", "durable events offered again and not delivered twice",
          stats.duplicatesDropped.sum());
      counter(sb, "convene_presence_untold_total", "presence transitions told only to watchers: the co-participants"
          + " of the user's meetings could not be looked up", presence.untold());
      OutboxStats o = outbox.stats();
      counter(sb, "convene_outbox_completed_total", "outbox effects carried out", o.completed.sum());
      counter(sb, "convene_outbox_retried_total", "outbox effects that failed and will be tried again", o.retried.sum());
      counter(sb, "convene_outbox_redelivered_total", "outbox effects the dispatcher carried out (their node did not)",
          o.redelivered.sum());
      counter(sb, "convene_outbox_dead_total", "outbox effects that failed too often on this node", o.dead.sum());
      gauge(sb, "convene_outbox_dead", "dead outbox effects waiting for an operator (whole cluster; -1: unknown)",
          readings[1]);
      rc.response().putHeader("Content-Type", "text/plain; version=0.0.4").end(sb.toString());
    }));
  }

  private static void gauge(StringBuilder sb, String name, String help, long value) {
    sb.append("# HELP ").append(name).append(' ').append(help).append('\n')
        .append("# TYPE ").append(name).append(" gauge\n").append(name).append(' ').append(value).append('\n');
  }

  private static void counter(StringBuilder sb, String name, String help, long value) {
    sb.append("# HELP ").append(name).append(' ').append(help).append('\n')
        .append("# TYPE ").append(name).append(" counter\n").append(name).append(' ').append(value).append('\n');
  }

  /** VmRSS from /proc/self/status (Linux, read asynchronously); -1 elsewhere. */
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
