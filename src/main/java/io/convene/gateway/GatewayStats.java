package io.convene.gateway;

import io.convene.metrics.NodeMetrics;
import io.convene.protocol.CloseCodes;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Socket figures of one node, shared by its event loops: striped counters (so hot paths do not contend)
 * and meters built once, so a frame costs no lookup and no allocation. Published on {@code /metrics}.
 */
public final class GatewayStats {
  public final LongAdder socketsOpen = new LongAdder();
  public final LongAdder socketsAccepted = new LongAdder();
  public final LongAdder framesDelivered = new LongAdder();
  public final LongAdder requestsHandled = new LongAdder();
  /** Durable events offered again (by the outbox, after a crash) and not delivered twice. */
  public final LongAdder duplicatesDropped = new LongAdder();

  final Timer requestAnswered;
  final Timer requestFailed;
  final Timer eventWritten;
  final Timer ringWritten;
  final Timer presenceWritten;
  final Counter presenceCoalesced;
  final Counter framesDropped;
  final Counter inboundRateLimited;
  private final Map<CloseCodes, Counter> closedByServer = new EnumMap<>(CloseCodes.class);

  public GatewayStats(MeterRegistry registry) {
    requestAnswered = NodeMetrics.latency(registry, "convene.socket.request",
        "socket request received until its ack is written", "outcome", "ok");
    requestFailed = NodeMetrics.latency(registry, "convene.socket.request",
        "socket request received until its ack is written", "outcome", "error");
    eventWritten = NodeMetrics.latency(registry, "convene.event.delivery",
        "user event published until its frame is written to a device's socket");
    ringWritten = NodeMetrics.latency(registry, "convene.ring.delivery",
        "call ring requested until call:incoming is written to a callee's socket");
    presenceWritten = NodeMetrics.latency(registry, "convene.presence.delivery",
        "presence change seen until presence:update is written to a watcher's socket");
    presenceCoalesced = Counter.builder("convene.presence.frames.coalesced")
        .description("presence frames replaced by a newer one for the same user while a socket was full")
        .register(registry);
    framesDropped = Counter.builder("convene.frames.dropped")
        .description("event frames not written because their socket was closing or closed for slowness")
        .register(registry);
    inboundRateLimited = NodeMetrics.rateLimited(registry, "gateway_inbound");
    for (CloseCodes code : CloseCodes.values()) {
      closedByServer.put(code, Counter.builder("convene.sockets.closed.by.server")
          .description("sockets the server closed, by reason").tag("reason", code.name().toLowerCase(Locale.ROOT))
          .register(registry));
    }
  }

  void closedByServer(CloseCodes code) {
    closedByServer.get(code).increment();
  }
}
