package io.convene.guest;

import io.convene.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Serves the guests' commands: {@link Addresses#GUESTS_DISALLOWED}. */
public final class GuestVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(GuestVerticle.class);

  private final GuestSessions guests;

  public GuestVerticle(GuestSessions guests) {
    this.guests = guests;
  }

  @Override
  public Future<?> start() {
    return vertx.eventBus().<JsonObject>consumer(Addresses.GUESTS_DISALLOWED, m -> {
      String meetingId = m.body().getString("meetingId");
      guests.disallowed(meetingId).onSuccess(v -> m.reply(null)).onFailure(err -> {
        LOG.warn("ending the guests of {} failed (tried again later): {}", meetingId, err.getMessage());
        m.fail(503, String.valueOf(err.getMessage()));
      });
    }).completion();
  }
}
