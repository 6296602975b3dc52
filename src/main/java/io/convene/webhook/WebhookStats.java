package io.convene.webhook;

import java.util.concurrent.atomic.LongAdder;

/** What the webhook deliveries of this node came to, attempt by attempt. */
public final class WebhookStats {
  /** Attempts the receiver answered with a 2xx. */
  public final LongAdder succeeded = new LongAdder();
  /** Failed attempts with another attempt to come. */
  public final LongAdder retried = new LongAdder();
  /** Failed attempts that were the delivery's last. */
  public final LongAdder failed = new LongAdder();
  /** Webhooks disabled after too many failed deliveries in a row. */
  public final LongAdder disabled = new LongAdder();
}
