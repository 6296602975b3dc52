package io.convene.attendance;

import io.convene.attendance.AttendanceCalculator.Cycle;
import io.convene.meeting.Meeting;
import io.convene.meeting.ParticipantService;
import io.convene.meeting.Permission;
import io.convene.outbox.Effect;
import io.convene.outbox.Outbox;
import io.convene.outbox.WebhookEvent;
import io.convene.protocol.ApiException;
import io.convene.protocol.ErrorCode;
import io.convene.protocol.Identity;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Who is in a meeting's live room, and every stay: joins and leaves (from whichever source comes
 * first) open and close stays under the room's lock, so capacity, "first in" and "last out" are
 * decided once; the attendance report per participant comes from the stays.
 */
public final class Attendance {
  /** A first join up to this long after the start still counts as on time. */
  public static final Duration LATE_GRACE = Duration.ofMinutes(5);

  private final Pool pool;
  private final StayRepository stays = new StayRepository();
  private final ParticipantService participants;
  private final Outbox outbox;
  private final Clock clock;

  public Attendance(Pool pool, ParticipantService participants, Outbox outbox, Clock clock) {
    this.pool = pool;
    this.participants = participants;
    this.outbox = outbox;
    this.clock = clock;
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  /**
   * What a join changed: whether the identity was already in, whether the room was empty, whether no
   * member (guests aside) was in it, and how many distinct people ever joined.
   */
  public record Joined(boolean alreadyIn, boolean firstInRoom, boolean noMemberBefore, int uniqueCount) {}

  /** What a leave changed: how many are still in, and how many of them are members. */
  public record Left(int remaining, int membersRemaining) {}

  /**
   * Opens a stay for {@code identity} (reopening one that ended within {@link
   * AttendanceCalculator#MERGE_GAP}); refused with {@code meeting_full} when {@code capacity} people
   * other than them are in already (null: no limit).
   */
  public Future<Joined> join(String meetingId, String identity, Integer capacity) {
    Instant now = now();
    return inRoom(meetingId, (db, effects) -> stays.present(db, meetingId).compose(present -> {
      if (capacity != null && present.size() >= capacity && !present.contains(identity)) {
        throw new ApiException(ErrorCode.MEETING_FULL, "the meeting is full (" + capacity + " participants)");
      }
      return stays.join(db, meetingId, identity, now, AttendanceCalculator.MERGE_GAP)
          .compose(j -> j.alreadyIn()
              ? Future.succeededFuture(new Joined(true, false, false, 0))
              : stays.uniqueCount(db, meetingId).map(n -> new Joined(false, j.firstInRoom(), j.noMemberBefore(), n))
                  .map(joined -> {
                    effects.add(webhook(WebhookEvent.PARTICIPANT_JOINED, meetingId, identity, now,
                        new JsonObject().put("joinedAt", now.toString())));
                    return joined;
                  }));
    }));
  }

  /** The webhooks hear of a join or leave: written in the room's transaction, sent once it committed. */
  private static Effect webhook(String type, String meetingId, String identity, Instant at, JsonObject more) {
    JsonObject data = new JsonObject().put("meetingId", meetingId).put("identity", identity)
        .put("guest", Identity.isGuest(identity));
    if (Identity.isGuest(identity)) {
      data.put("sessionId", identity.substring(Identity.GUEST_PREFIX.length()));
    } else {
      data.put("userId", identity);
    }
    return WebhookEvent.effect(type, data.mergeIn(more), at);
  }

  /** Closes the open stay of {@code identity} at {@code at}; empty when they were not in. */
  public Future<Optional<Left>> leave(String meetingId, String identity, Instant at) {
    return inRoom(meetingId, (db, effects) -> stays.leave(db, meetingId, identity, at).compose(left -> !left
        ? Future.succeededFuture(Optional.<Left>empty())
        : stays.present(db, meetingId).map(present -> {
          effects.add(webhook(WebhookEvent.PARTICIPANT_LEFT, meetingId, identity, at,
              new JsonObject().put("leftAt", at.toString())));
          return Optional.of(new Left(present.size(), (int) present.stream().filter(p -> !Identity.isGuest(p)).count()));
        })));
  }

  /** Closes the open stay of {@code identity} now. */
  public Future<Optional<Left>> leave(String meetingId, String identity) {
    return leave(meetingId, identity, now());
  }

  /** The meeting ended: every stay ends now. */
  public Future<Void> closeAll(String meetingId) {
    Instant now = now();
    return inRoom(meetingId, db -> stays.closeAll(db, meetingId, now));
  }

  /** Identities in the room now (members and guests). */
  public Future<List<String>> present(String meetingId) {
    return present(pool, meetingId);
  }

  /** Identities in the room now, read on {@code db} (a transaction's own connection, or the pool). */
  public Future<List<String>> present(SqlClient db, String meetingId) {
    return stays.present(db, meetingId);
  }

  /** Members (not guests) in the room now. */
  public Future<List<String>> membersPresent(String meetingId) {
    return present(meetingId).map(p -> p.stream().filter(i -> !Identity.isGuest(i)).toList());
  }

  /**
   * Which of these meetings have someone (a member or a guest) in their room, read on {@code db}: a
   * transaction passes its own connection, so it never waits for a second one from the pool.
   */
  public Future<Set<String>> occupied(SqlClient db, List<String> meetingIds) {
    return occupied(db, meetingIds, false);
  }

  /** Which of these meetings have a member (not a guest) in their room, read on {@code db}. */
  public Future<Set<String>> withMembers(SqlClient db, List<String> meetingIds) {
    return occupied(db, meetingIds, true);
  }

  private Future<Set<String>> occupied(SqlClient db, List<String> meetingIds, boolean membersOnly) {
    return meetingIds.isEmpty() ? Future.succeededFuture(Set.of())
        : stays.occupied(db, meetingIds, membersOnly).map(HashSet::new);
  }

  /** Meetings where {@code identity} has an open stay. */
  public Future<List<String>> openMeetingsOf(String identity) {
    return stays.openMeetingsOf(pool, identity);
  }

  /** Open stays with no sign of life for {@code silence}. */
  public Future<List<Stay>> silent(Duration silence, int batch) {
    return stays.silentSince(pool, now().minus(silence), batch);
  }

  /** A sign of life for an open stay. */
  public Future<Void> touch(String meetingId, String identity) {
    return stays.touch(pool, meetingId, identity, now());
  }

  /** Attendance per participant (owner, manager): stays, minutes, share of the window, status. */
  public Future<List<JsonObject>> report(Identity who, String meetingId) {
    return participants.membership(who, meetingId).compose(m -> {
      m.require(Permission.VIEW_ATTENDANCE);
      Meeting meeting = m.meeting();
      Instant now = now();
      Instant start = meeting.instantCall() ? meeting.startedAt() : meeting.startTime();
      Instant end = meeting.instantCall() && meeting.endedAt() != null ? meeting.endedAt()
          : meeting.instantCall() ? now : meeting.endTime();
      return participants.participantIds(meetingId).compose(invited -> stays.cycles(pool, meetingId).map(byUser -> {
        List<String> everyone = new ArrayList<>(invited);
        byUser.keySet().stream().filter(u -> !everyone.contains(u)).forEach(everyone::add);
        List<JsonObject> out = new ArrayList<>();
        for (String user : everyone) {
          List<Cycle> cycles = byUser.getOrDefault(user, List.of());
          out.add(AttendanceCalculator.compute(cycles, start, end, now, LATE_GRACE).toJson().put("userId", user));
        }
        return out;
      }));
    });
  }

  /** Runs {@code work} in a transaction holding the meeting's room lock, so joins and leaves serialize. */
  private <T> Future<T> inRoom(String meetingId, Function<SqlClient, Future<T>> work) {
    return inRoom(meetingId, (db, effects) -> work.apply(db));
  }

  /**
   * Runs {@code work} under the room lock; the effects it adds are written in its transaction and
   * carried out once it committed.
   */
  private <T> Future<T> inRoom(String meetingId, BiFunction<SqlClient, List<Effect>, Future<T>> work) {
    List<Effect> effects = new ArrayList<>();
    return pool.withTransaction(db -> db.preparedQuery("SELECT pg_advisory_xact_lock(hashtext($1))")
            .execute(Tuple.of(meetingId)).compose(v -> work.apply(db, effects))
            .compose(result -> outbox.add(db, effects).map(stored -> new Committed<>(result, stored))))
        .map(committed -> {
          outbox.runNow(committed.stored());
          return committed.result();
        });
  }

  private record Committed<T>(T result, List<Outbox.Stored> stored) {}
}
