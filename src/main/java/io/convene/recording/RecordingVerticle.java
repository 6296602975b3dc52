package io.convene.recording;

import io.convene.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plumbing of recordings. Commands come from the outbox, point-to-point, so one node carries each out,
 * and it replies once done (or fails, and the outbox tries again later): start the automatic recording
 * of a meeting that started, start and stop one recording's egress in LiveKit. (The recordings of a
 * meeting that stops being live are stopped by its teardown, {@code room.RoomVerticle}.)
 */
public final class RecordingVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(RecordingVerticle.class);

  private final Recordings recordings;

  public RecordingVerticle(Recordings recordings) {
    this.recordings = recordings;
  }

  @Override
  public Future<?> start() {
    var bus = vertx.eventBus();
    return Future.all(
        bus.<JsonObject>consumer(Addresses.RECORDING_AUTO_START,
            m -> reply(m, b -> recordings.autoStart(b.getString("meetingId")))).completion(),
        bus.<JsonObject>consumer(Addresses.RECORDING_START,
            m -> reply(m, b -> recordings.startEgress(b.getString("recordingId")))).completion(),
        bus.<JsonObject>consumer(Addresses.RECORDING_STOP,
            m -> reply(m, b -> recordings.stopEgress(b.getString("recordingId")))).completion());
  }

  /** Carries the command out and replies when it is done; a failure goes back to the outbox. */
  private static void reply(Message<JsonObject> m, Function<JsonObject, Future<Void>> action) {
    Future<Void> done;
    try {
      done = action.apply(m.body());
    } catch (RuntimeException e) {
      done = Future.failedFuture(e);
    }
    done.onSuccess(v -> m.reply(null)).onFailure(err -> {
      LOG.warn("{} {} failed (tried again later): {}", m.address(), m.body().encode(), err.getMessage());
      m.fail(503, String.valueOf(err.getMessage()));
    });
  }
}
