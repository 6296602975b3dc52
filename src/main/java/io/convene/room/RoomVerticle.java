package io.convene.room;

import io.convene.bus.Addresses;
import io.convene.call.CallService;
import io.convene.livekit.LiveKitRooms;
import io.convene.meeting.MeetingIds;
import io.convene.recording.Recordings;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plumbing of live rooms. Commands come from the outbox, point-to-point, so one node carries each out,
 * and it replies once done (or fails, and the outbox tries again later): open a room when a meeting
 * starts; tear a meeting down when it ends (rings stopped, stays closed, guests let go, its recording
 * stopped: from the outbox, until LiveKit answers); close its LiveKit room; take a removed participant
 * out of the room. A user whose sockets are gone leaves the rooms LiveKit does not see them in.
 */
public final class RoomVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(RoomVerticle.class);

  private final RoomService room;
  private final LiveKitRooms rooms;
  private final CallService calls;
  private final Recordings recordings;

  public RoomVerticle(RoomService room, LiveKitRooms rooms, CallService calls, Recordings recordings) {
    this.room = room;
    this.rooms = rooms;
    this.calls = calls;
    this.recordings = recordings;
  }

  @Override
  public Future<?> start() {
    var bus = vertx.eventBus();
    return Future.all(
        bus.<JsonObject>consumer(Addresses.ROOM_OPEN, m -> reply(m, b -> rooms.create(b.getString("meetingId"),
            b.getInteger("maxParticipants")))).completion(),
        bus.<JsonObject>consumer(Addresses.MEETING_TEARDOWN, m -> reply(m, this::teardown)).completion(),
        bus.<JsonObject>consumer(Addresses.ROOM_CLOSE, m -> reply(m, b -> rooms.delete(b.getString("meetingId"))))
            .completion(),
        bus.<JsonObject>consumer(Addresses.ROOM_REMOVE, m -> reply(m, b -> room.removed(b.getString("meetingId"),
                b.getString("userId")).compose(v -> rooms.remove(b.getString("meetingId"), b.getString("userId")))))
            .completion(),
        bus.<JsonObject>consumer(Addresses.ROOM_RECONCILE, m -> reply(m, b -> room.reconcile(b.getString("meetingId"))))
            .completion(),
        bus.<JsonObject>consumer(Addresses.USER_OFFLINE, m -> room.wentOffline(m.body().getString("userId"))
            .onFailure(err -> LOG.warn("leaving rooms of {} failed: {}", m.body().getString("userId"), err.getMessage())))
            .completion());
  }

  private Future<Void> teardown(JsonObject msg) {
    String id = msg.getString("meetingId");
    Future<Void> rings = id.startsWith(MeetingIds.CALL_PREFIX) ? calls.closed(id, msg.getString("reason"))
        : Future.succeededFuture();
    return Future.all(rings, room.closed(id), recordings.stopAll(id)).mapEmpty();
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
      LOG.warn("{} {} failed (tried again later): {}", m.address(), m.body().getString("meetingId"), err.getMessage());
      m.fail(503, String.valueOf(err.getMessage()));
    });
  }
}
