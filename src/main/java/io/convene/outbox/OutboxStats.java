package io.convene.outbox;

import java.util.concurrent.atomic.LongAdder;

/** What the outbox of this node did: effects completed, retried, found dead, and picked up again. */
public final class OutboxStats {
  public final LongAdder completed = new LongAdder();
  public final LongAdder retried = new LongAdder();
  public final LongAdder dead = new LongAdder();
  /** Effects the dispatcher carried out because the node that committed them did not (in time). */
  public final LongAdder redelivered = new LongAdder();
}
