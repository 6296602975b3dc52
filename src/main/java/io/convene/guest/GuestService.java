package io.convene.guest;

import io.convene.auth.Identity;
import io.convene.bus.Addresses;
import io.convene.bus.UserEvents;
import io.convene.config.AppConfig;
import io.convene.meeting.Meeting;
import io.convene.meeting.MeetingService;
import io.convene.meeting.Permission;
import io.convene.meeting.Permissions;
import io.convene.protocol.ApiException;
import io.convene.protocol.ErrorCode;
import io.convene.protocol.Events;
import io.convene.room.RoomService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * People without an account: invitation links (unguessable, stored hashed, a new one replaces the old),
 * what a link shows before registering, guest registration with an opaque key bundle, and the guest
 * tokens that authenticate guests on their routes and on the socket.
 */
public final class GuestService {
  public static final String LINK_PREFIX = "inv_";
  public static final String TOKEN_PREFIX = "gt_";
  /** Guest identities in rooms and events: {@code guest:<sessionId>}. */
  public static final String IDENTITY_PREFIX = "guest:";
  public static final String GUEST_ROLE = "guest";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Pool pool;
  private final MeetingService meetings;
  private final RoomService room;
  private final UserEvents events;
  private final Clock clock;
  private final AppConfig.Guests config;
  private final LinkWindow window;
  private final String publicUrl;

  public GuestService(Pool pool, MeetingService meetings, RoomService room, UserEvents events, Clock clock,
      AppConfig.Guests config, String publicUrl) {
    this.pool = pool;
    this.meetings = meetings;
    this.room = room;
    this.events = events;
    this.clock = clock;
    this.config = config;
    this.publicUrl = publicUrl;
    this.window = new LinkWindow(Duration.ofMinutes(config.linkOpensMinutesBefore()),
        Duration.ofMinutes(config.linkClosesMinutesAfter()));
    room.onFirstMember(this::firstMemberJoined);
    room.onLastMemberLeft(this::lastMemberLeft);
  }

  /** Seconds guests keep their socket after every member left. */
  public static final int LEFT_ALONE_GRACE_SECONDS = 5;

  /** Every member left (or the meeting closed): guests are warned; their sessions end after a grace. */
  private void lastMemberLeft(String meetingId) {
    Instant endAt = now().plusSeconds(LEFT_ALONE_GRACE_SECONDS);
    pool.preparedQuery("UPDATE guest_sessions SET ending_at = $2 WHERE meeting_id = $1 AND status <> 'ended'"
            + " AND ending_at IS NULL RETURNING id")
        .execute(Tuple.of(meetingId, endAt.atOffset(ZoneOffset.UTC)))
        .onSuccess(rows -> {
          List<String> guests = new ArrayList<>();
          rows.forEach(r -> guests.add(IDENTITY_PREFIX + r.getString(0)));
          events.publish(guests, Events.EXTERNAL_ALL_SERVER_USERS_LEFT,
              new JsonObject().put("meetingId", meetingId).put("graceSeconds", LEFT_ALONE_GRACE_SECONDS));
        });
  }

  /**
   * Ends sessions whose grace after everyone left ran out (unless a member came back) and sessions
   * past their lifetime; their sockets are closed. Returns how many ended.
   */
  public Future<Integer> endDueSessions(int batch) {
    Instant now = now();
    return pool.preparedQuery("""
            UPDATE guest_sessions s SET status = 'ended'
            WHERE s.id IN (SELECT id FROM guest_sessions WHERE status <> 'ended'
                             AND (expires_at <= $1 OR ending_at <= $1) LIMIT $2 FOR UPDATE SKIP LOCKED)
              AND (s.expires_at <= $1
                   OR NOT EXISTS (SELECT 1 FROM attendance_cycles a WHERE a.meeting_id = s.meeting_id
                                  AND a.left_at IS NULL AND a.user_id NOT LIKE 'guest:%'))
            RETURNING s.id""")
        .execute(Tuple.of(now.atOffset(ZoneOffset.UTC), batch))
        .compose(rows -> {
          List<String> ended = new ArrayList<>();
          rows.forEach(r -> ended.add(IDENTITY_PREFIX + r.getString(0)));
          return pool.preparedQuery("UPDATE guest_sessions SET ending_at = NULL WHERE ending_at <= $1 AND status <> 'ended'")
              .execute(Tuple.of(now.atOffset(ZoneOffset.UTC)))
              .map(v -> {
                if (!ended.isEmpty()) {
                  events.broadcast(Addresses.DISCONNECT_USERS, new JsonObject()
                      .put("userIds", new JsonArray(ended)).put("code", 4004));
                }
                return ended.size();
              });
        });
  }

  /** Guests still outside learn that they may ask now. */
  private void firstMemberJoined(String meetingId) {
    pool.preparedQuery("SELECT id FROM guest_sessions WHERE meeting_id = $1 AND status = 'registered' AND expires_at > $2")
        .execute(Tuple.of(meetingId, now().atOffset(ZoneOffset.UTC)))
        .onSuccess(rows -> {
          List<String> guests = new ArrayList<>();
          rows.forEach(r -> guests.add(IDENTITY_PREFIX + r.getString(0)));
          events.publish(guests, Events.MEETING_FIRST_PARTICIPANT_JOINED, new JsonObject().put("meetingId", meetingId));
        });
  }

  /** A guest's session as its own token proves it; not-found for any other session. */
  public record Session(String id, String meetingId, String displayName, String status) {}

  public Future<Session> session(Identity guest, String sessionId) {
    if (!guest.userId().equals(IDENTITY_PREFIX + sessionId)) {
      return Future.failedFuture(ApiException.notFound("guest session"));
    }
    return pool.preparedQuery("SELECT id, meeting_id, display_name, status FROM guest_sessions WHERE id = $1")
        .execute(Tuple.of(sessionId))
        .compose(rows -> rows.size() == 0 ? Future.failedFuture(ApiException.notFound("guest session"))
            : Future.succeededFuture(session(rows.iterator().next())));
  }

  private static Session session(Row r) {
    return new Session(r.getString("id"), r.getString("meeting_id"), r.getString("display_name"), r.getString("status"));
  }

  /**
   * The guest asks to be let in: possible once a member is in the room. Everyone in the room is told;
   * a declined guest can never ask again.
   */
  public Future<JsonObject> ask(Identity guest, String sessionId) {
    return session(guest, sessionId).compose(s -> switch (s.status()) {
      case "declined" -> throw ApiException.forbidden("you were turned away; you cannot ask again");
      case "admitted" -> Future.succeededFuture(new JsonObject().put("status", "admitted"));
      case "ended" -> throw ApiException.invalidState("your guest session has ended");
      default -> room.membersPresent(s.meetingId()).compose(members -> {
        if (members.isEmpty()) {
          throw new ApiException(ErrorCode.INVALID_STATE,
              "nobody has joined yet; you will get meeting:first_participant_joined when you can ask");
        }
        return pool.preparedQuery("UPDATE guest_sessions SET status = 'waiting' WHERE id = $1 AND status IN ('registered', 'waiting')")
            .execute(Tuple.of(sessionId))
            .map(v -> {
              events.publish(members, Events.MEETING_GUEST_WAITING, new JsonObject().put("meetingId", s.meetingId())
                  .put("sessionId", sessionId).put("displayName", s.displayName()));
              return new JsonObject().put("status", "waiting");
            });
      });
    });
  }

  /** A participant lets a waiting guest in or turns them away; the first decision wins. */
  public Future<JsonObject> decide(Identity who, String meetingId, String sessionId, boolean admit) {
    return meetings.membership(who, meetingId).compose(m -> {
      if (!Permissions.allows(m.role(), m.admin(), Permission.ADMIT_GUESTS)) {
        throw ApiException.forbidden("your role in this meeting does not allow admit_guests");
      }
      String status = admit ? "admitted" : "declined";
      return pool.preparedQuery("UPDATE guest_sessions SET status = $3 WHERE id = $1 AND meeting_id = $2"
              + " AND status = 'waiting' RETURNING id")
          .execute(Tuple.of(sessionId, meetingId, status))
          .compose(rows -> {
            if (rows.size() == 1) {
              return room.membersPresent(meetingId).map(members -> {
                List<String> told = new ArrayList<>(members);
                told.add(IDENTITY_PREFIX + sessionId);
                events.publish(told, admit ? Events.MEETING_GUEST_ADMITTED : Events.MEETING_GUEST_DECLINED,
                    new JsonObject().put("meetingId", meetingId).put("sessionId", sessionId).put("decidedBy", who.userId()));
                return new JsonObject().put("sessionId", sessionId).put("status", status);
              });
            }
            return pool.preparedQuery("SELECT status FROM guest_sessions WHERE id = $1 AND meeting_id = $2")
                .execute(Tuple.of(sessionId, meetingId))
                .map(found -> {
                  if (found.size() == 0) {
                    throw ApiException.notFound("guest session");
                  }
                  String current = found.iterator().next().getString(0);
                  if (current.equals("admitted") || current.equals("declined")) {
                    throw new ApiException(ErrorCode.TOO_LATE, "the guest was already " + current);
                  }
                  throw ApiException.invalidState("the guest is not waiting (" + current + ")");
                });
          });
    });
  }

  /**
   * Ends a guest session: the guest themself, or an owner or manager of its meeting. The guest's sockets
   * close and LiveKit drops the guest from the room.
   */
  public Future<Void> end(Identity who, String sessionId) {
    Future<String> meetingOf = who.roles().contains(GUEST_ROLE)
        ? session(who, sessionId).map(Session::meetingId)
        : pool.preparedQuery("SELECT meeting_id FROM guest_sessions WHERE id = $1").execute(Tuple.of(sessionId))
            .compose(rows -> rows.size() == 0 ? Future.failedFuture(ApiException.notFound("guest session"))
                : meetings.membership(who, rows.iterator().next().getString(0)).map(m -> {
                  if (!Permissions.allows(m.role(), m.admin(), Permission.REMOVE_GUEST)) {
                    throw ApiException.forbidden("your role in this meeting does not allow remove_guest");
                  }
                  return m.meeting().id();
                }));
    return meetingOf.compose(meetingId -> pool.preparedQuery(
            "UPDATE guest_sessions SET status = 'ended' WHERE id = $1 AND status <> 'ended'").execute(Tuple.of(sessionId))
        .map(v -> {
          String identity = IDENTITY_PREFIX + sessionId;
          events.broadcast(Addresses.DISCONNECT_USERS, new JsonObject()
              .put("userIds", new JsonArray().add(identity)).put("code", 4004));
          events.command(Addresses.ROOM_REMOVE, new JsonObject().put("meetingId", meetingId).put("userId", identity));
          return null;
        }));
  }

  /**
   * A meeting's preview: participants see the list (and how many guests are in); guests see counts only.
   */
  public Future<JsonObject> preview(Identity who, String meetingId) {
    boolean guest = who.roles().contains(GUEST_ROLE);
    Future<Meeting> meeting = guest
        ? session(who, who.userId().substring(IDENTITY_PREFIX.length())).compose(s -> s.meetingId().equals(meetingId)
            ? meetings.find(meetingId).map(f -> f.orElseThrow(() -> ApiException.notFound("meeting")))
            : Future.failedFuture(ApiException.notFound("meeting")))
        : meetings.membership(who, meetingId).map(MeetingService.Membership::meeting);
    return meeting.compose(m -> room.present(meetingId).compose(present -> {
      long guests = present.stream().filter(p -> p.startsWith(IDENTITY_PREFIX)).count();
      List<String> members = present.stream().filter(p -> !p.startsWith(IDENTITY_PREFIX)).toList();
      JsonObject out = new JsonObject().put("meetingId", meetingId).put("title", m.title())
          .put("status", m.status().wire()).put("startTime", m.startTime().toString())
          .put("participantCount", members.size()).put("guestCount", guests);
      return guest ? Future.succeededFuture(out)
          : meetings.participantIds(meetingId).map(all -> out
              .put("inRoom", new JsonArray(members))
              .put("invited", new JsonArray(all)));
    }));
  }

  /** Who waits in the lobby: members (waiting room) and guests who asked. Any participant may look. */
  public Future<JsonObject> waitingRoom(Identity who, String meetingId) {
    return meetings.membership(who, meetingId).compose(m -> meetings.waitingMembers(meetingId).compose(members ->
        pool.preparedQuery("SELECT id, display_name FROM guest_sessions WHERE meeting_id = $1 AND status = 'waiting'"
                + " ORDER BY created_at").execute(Tuple.of(meetingId))
            .map(rows -> {
              JsonArray guests = new JsonArray();
              rows.forEach(r -> guests.add(new JsonObject().put("sessionId", r.getString(0)).put("displayName", r.getString(1))));
              return new JsonObject().put("meetingId", meetingId)
                  .put("members", new JsonArray(members)).put("guests", guests);
            })));
  }

  /** An owner or manager lets a waiting member in or turns them away; the first decision wins. */
  public Future<JsonObject> decideMember(Identity who, String meetingId, String userId, boolean admit) {
    return meetings.decideLobby(who, meetingId, userId, admit).compose(decided -> {
      if (!decided) {
        return meetings.lobby(meetingId, userId).map(state -> {
          if ("admitted".equals(state) || "declined".equals(state)) {
            throw new ApiException(ErrorCode.TOO_LATE, "the member was already " + state);
          }
          throw ApiException.notFound("member waiting");
        });
      }
      return room.membersPresent(meetingId).map(members -> {
        List<String> told = new ArrayList<>(members);
        told.add(userId);
        events.publish(told, admit ? Events.MEETING_GUEST_ADMITTED : Events.MEETING_GUEST_DECLINED,
            new JsonObject().put("meetingId", meetingId).put("userId", userId).put("decidedBy", who.userId()));
        return new JsonObject().put("userId", userId).put("status", admit ? "admitted" : "declined");
      });
    });
  }

  /** An admitted guest enters the room and gets LiveKit connection details. */
  public Future<JsonObject> join(Identity guest, String sessionId) {
    return session(guest, sessionId).compose(s -> {
      if (!s.status().equals("admitted")) {
        throw ApiException.forbidden("wait until a participant lets you in");
      }
      return room.joinAsGuest(s.meetingId(), guest.userId(), s.displayName());
    });
  }

  public AppConfig.Guests config() {
    return config;
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  /** A new link for the meeting (owner, manager; allowExternal on); the previous one stops working. */
  public Future<JsonObject> generateLink(Identity who, String meetingId) {
    return meetings.membership(who, meetingId).compose(m -> {
      if (!Permissions.allows(m.role(), m.admin(), Permission.GENERATE_LINK)) {
        throw ApiException.forbidden("your role in this meeting does not allow generate_link");
      }
      Meeting meeting = m.meeting();
      if (!meeting.allowExternal()) {
        throw ApiException.invalidState("guests are not allowed in this meeting; turn allowExternal on first");
      }
      if (!meeting.status().active()) {
        throw ApiException.invalidState("the meeting is " + meeting.status().wire());
      }
      String token = LINK_PREFIX + random(24);
      Instant now = now();
      return pool.withTransaction(db -> db.preparedQuery(
                  "UPDATE invite_links SET replaced_at = $2 WHERE meeting_id = $1 AND replaced_at IS NULL")
              .execute(Tuple.of(meetingId, now.atOffset(ZoneOffset.UTC)))
              .compose(v -> db.preparedQuery("INSERT INTO invite_links (token_hash, meeting_id, created_by, created_at)"
                  + " VALUES ($1, $2, $3, $4)").execute(Tuple.of(hash(token), meetingId, who.userId(),
                  now.atOffset(ZoneOffset.UTC)))))
          .compose(v -> room.present(meetingId))
          .map(present -> {
            LinkWindow.Verdict verdict = window.check(meeting, now);
            events.publish(present.stream().filter(p -> !p.startsWith(IDENTITY_PREFIX)).toList(),
                Events.MEETING_INVITE_LINK_GENERATED, new JsonObject().put("meetingId", meetingId)
                    .put("generatedBy", who.userId()));
            return new JsonObject()
                .put("token", token)
                .put("url", publicUrl == null ? null : publicUrl.replaceAll("/+$", "") + "/join/" + token)
                .put("validFrom", verdict.validFrom().toString())
                .put("validUntil", verdict.validUntil().toString());
          });
    });
  }

  /** What a link shows anyone holding it; unknown and replaced links are not found, with the reason. */
  public Future<JsonObject> joinInfo(String token) {
    return link(token).compose(meeting -> meetings.ownerName(meeting.id()).compose(host ->
        room.present(meeting.id()).map(present -> {
          LinkWindow.Verdict verdict = window.check(meeting, now());
          boolean someoneIn = present.stream().anyMatch(p -> !p.startsWith(IDENTITY_PREFIX));
          return new JsonObject()
              .put("meetingId", meeting.id())
              .put("title", meeting.title())
              .put("startTime", meeting.startTime().toString())
              .put("hostName", host)
              .put("status", meeting.status().wire())
              .put("valid", verdict.valid())
              .put("reason", verdict.reason())
              .put("validFrom", verdict.validFrom().toString())
              .put("validUntil", verdict.validUntil().toString())
              .put("canAskForAccess", verdict.valid() && someoneIn);
        })));
  }

  /** Registers a guest through a valid link; returns the session and the guest token (shown once). */
  public Future<JsonObject> register(String linkToken, String displayName, String email, JsonObject keys) {
    return link(linkToken).compose(meeting -> {
      Instant now = now();
      LinkWindow.Verdict verdict = window.check(meeting, now);
      if (!verdict.valid()) {
        throw new ApiException(ErrorCode.INVALID_STATE, "the link does not work now: " + verdict.reason());
      }
      String sessionId = "gst_" + random(12);
      String guestToken = TOKEN_PREFIX + random(32);
      Instant expires = now.plus(Duration.ofHours(config.sessionHours()));
      return pool.preparedQuery("INSERT INTO guest_sessions (id, meeting_id, token_hash, display_name, email, keys,"
              + " status, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, 'registered', $7, $8)")
          .execute(Tuple.tuple().addString(sessionId).addString(meeting.id()).addString(hash(guestToken))
              .addString(displayName).addString(email).addValue(keys).addOffsetDateTime(now.atOffset(ZoneOffset.UTC))
              .addOffsetDateTime(expires.atOffset(ZoneOffset.UTC)))
          .map(v -> new JsonObject().put("sessionId", sessionId).put("guestToken", guestToken)
              .put("meetingId", meeting.id()).put("expiresAt", expires.toString()));
    });
  }

  /** A guest's key bundle, for the meeting's participants only. */
  public Future<JsonObject> keys(Identity who, String sessionId) {
    if (who.roles().contains(GUEST_ROLE)) {
      return Future.failedFuture(ApiException.forbidden("guests cannot read other guests' keys"));
    }
    return pool.preparedQuery("SELECT meeting_id, display_name, keys FROM guest_sessions WHERE id = $1")
        .execute(Tuple.of(sessionId))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(ApiException.notFound("guest session"));
          }
          Row r = rows.iterator().next();
          return meetings.membership(who, r.getString("meeting_id")).map(m -> new JsonObject()
              .put("sessionId", sessionId)
              .put("displayName", r.getString("display_name"))
              .put("keys", r.getValue("keys")));
        })
        .recover(err -> err instanceof ApiException e && e.code() == ErrorCode.NOT_FOUND
            ? Future.failedFuture(ApiException.notFound("guest session")) : Future.failedFuture(err));
  }

  /** The identity a guest token proves: {@code guest:<sessionId>} with the guest role, until the session ends. */
  public Future<Identity> verify(String guestToken) {
    if (guestToken == null || !guestToken.startsWith(TOKEN_PREFIX) || guestToken.length() > 128) {
      return Future.failedFuture(new ApiException(ErrorCode.UNAUTHORIZED, "invalid guest token"));
    }
    return pool.preparedQuery("SELECT id, display_name, expires_at FROM guest_sessions"
            + " WHERE token_hash = $1 AND status <> 'ended' AND expires_at > $2")
        .execute(Tuple.of(hash(guestToken), now().atOffset(ZoneOffset.UTC)))
        .compose(rows -> rows.size() == 0
            ? Future.failedFuture(new ApiException(ErrorCode.UNAUTHORIZED, "invalid or expired guest token"))
            : Future.succeededFuture(identity(rows.iterator().next())));
  }

  private static Identity identity(Row r) {
    return new Identity(IDENTITY_PREFIX + r.getString("id"), r.getString("display_name"), Set.of(GUEST_ROLE),
        r.getOffsetDateTime("expires_at").toInstant());
  }

  /** The meeting of a current link; not found (with the reason) for unknown and replaced links. */
  private Future<Meeting> link(String token) {
    if (token == null || !token.startsWith(LINK_PREFIX) || token.length() > 128) {
      return Future.failedFuture(ApiException.notFound("invitation link"));
    }
    return pool.preparedQuery("SELECT meeting_id, replaced_at FROM invite_links WHERE token_hash = $1")
        .execute(Tuple.of(hash(token)))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(new ApiException(ErrorCode.NOT_FOUND, "unknown invitation link"));
          }
          Row r = rows.iterator().next();
          if (r.getOffsetDateTime("replaced_at") != null) {
            return Future.failedFuture(new ApiException(ErrorCode.NOT_FOUND,
                "this invitation link was replaced by a newer one"));
          }
          return meetings.find(r.getString("meeting_id")).map(found -> found.orElseThrow(
              () -> new ApiException(ErrorCode.NOT_FOUND, "unknown invitation link")));
        });
  }

  static String hash(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String random(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
