package io.convene.http;

import java.util.concurrent.atomic.LongAdder;

/** Counters of one node, shared by its event loops (striped, so hot paths do not contend); see /metrics. */
public final class NodeStats {
  public final LongAdder socketsOpen = new LongAdder();
  public final LongAdder socketsAccepted = new LongAdder();
  public final LongAdder socketsClosedByServer = new LongAdder();
  public final LongAdder framesDelivered = new LongAdder();
  public final LongAdder requestsHandled = new LongAdder();
}
