package io.convene.room;

import io.convene.bus.Addresses;
import io.convene.call.CallService;
import io.convene.livekit.LiveKitRooms;
import io.convene.meeting.MeetingIds;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plumbing of live rooms. Commands arrive point-to-point, so one node carries each out: open a room
 * when a meeting starts; tear a meeting down when it ends (rings stopped, stays closed, LiveKit room
 * deleted); take a removed participant out of the room; let a user whose sockets are gone leave.
 * LiveKit calls that fail are tried again later; tokens keep working meanwhile.
 */
public final class RoomVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(RoomVerticle.class);
  private static final int ATTEMPTS = 10;

  private final RoomService room;
  private final LiveKitRooms rooms;
  private final CallService calls;
  private final long retryMillis;

  public RoomVerticle(RoomService room, LiveKitRooms rooms, CallService calls, long retryMillis) {
    this.room = room;
    this.rooms = rooms;
    this.calls = calls;
    this.retryMillis = retryMillis;
  }

  @Override
  public Future<?> start() {
    var bus = vertx.eventBus();
    return Future.all(
        bus.<JsonObject>consumer(Addresses.ROOM_OPEN, m -> {
          String id = m.body().getString("meetingId");
          retrying("creating room " + id, () -> rooms.create(id, m.body().getInteger("maxParticipants")), 1);
        }).completion(),
        bus.<JsonObject>consumer(Addresses.MEETING_TEARDOWN, m -> teardown(m.body())).completion(),
        bus.<JsonObject>consumer(Addresses.ROOM_REMOVE, m -> {
          String id = m.body().getString("meetingId");
          String user = m.body().getString("userId");
          room.removed(id, user).onFailure(err -> LOG.warn("recording {} leaving {} failed", user, id, err));
          retrying("removing " + user + " from room " + id, () -> rooms.remove(id, user), 1);
        }).completion(),
        bus.<JsonObject>consumer(Addresses.USER_OFFLINE, m -> room.wentOffline(m.body().getString("userId"))
            .onFailure(err -> LOG.warn("leaving rooms of {} failed: {}", m.body().getString("userId"), err.getMessage())))
            .completion());
  }

  private void teardown(JsonObject msg) {
    String id = msg.getString("meetingId");
    String reason = msg.getString("reason");
    Future<Void> rings = id.startsWith(MeetingIds.CALL_PREFIX) ? calls.closed(id, reason) : Future.succeededFuture();
    rings.onFailure(err -> LOG.warn("stopping the rings of {} failed: {}", id, err.getMessage()));
    room.closed(id).onFailure(err -> LOG.warn("closing the stays in {} failed: {}", id, err.getMessage()));
    retrying("deleting room " + id, () -> rooms.delete(id), 1);
  }

  private void retrying(String what, Supplier<Future<Void>> action, int attempt) {
    action.get().onFailure(err -> {
      if (attempt >= ATTEMPTS) {
        LOG.error("{} failed {} times; giving up: {}", what, attempt, err.getMessage());
        return;
      }
      LOG.warn("{} failed (attempt {}), retrying: {}", what, attempt, err.getMessage());
      vertx.setTimer(retryMillis * attempt, t -> retrying(what, action, attempt + 1));
    });
  }
}
