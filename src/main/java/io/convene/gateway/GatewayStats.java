package io.convene.gateway;

import java.util.concurrent.atomic.LongAdder;

/** Socket counters of one node, shared by its event loops (striped, so hot paths do not contend); see /metrics. */
public final class GatewayStats {
  public final LongAdder socketsOpen = new LongAdder();
  public final LongAdder socketsAccepted = new LongAdder();
  public final LongAdder socketsClosedByServer = new LongAdder();
  public final LongAdder framesDelivered = new LongAdder();
  public final LongAdder requestsHandled = new LongAdder();
  /** Durable events offered again (by the outbox, after a crash) and not delivered twice. */
  public final LongAdder duplicatesDropped = new LongAdder();
}
