package io.convene.meeting;

import io.convene.auth.Identity;
import io.convene.bus.Addresses;
import io.convene.bus.UserEvents;
import io.convene.config.AppConfig;
import io.convene.meeting.Commands.MeetingPatch;
import io.convene.meeting.Commands.NewMeeting;
import io.convene.meeting.Commands.Scope;
import io.convene.meeting.Commands.SettingsPatch;
import io.convene.meeting.MeetingRepository.Overlap;
import io.convene.meeting.MeetingRepository.Seat;
import io.convene.protocol.ApiException;
import io.convene.protocol.ErrorCode;
import io.convene.protocol.Events;
import io.convene.protocol.FieldError;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Meetings and their participants: every rule of who may do what and which state change is allowed.
 * Each change of an existing meeting runs in one transaction with the meeting row locked; creation is
 * one statement. Events are published only after the commit.
 */
public final class MeetingService {
  /** Participants who hear about a meeting's changes: those who have not declined or been banned. */
  private static final Set<ParticipantStatus> ATTENDING = Set.of(ParticipantStatus.INVITED, ParticipantStatus.ACCEPTED);

  private static final int VIEW_PARTICIPANTS = 100;
  public static final int MAX_BULK = 100;

  private final Pool pool;
  private final MeetingRepository repo = new MeetingRepository();
  private final UserEvents events;
  private final Clock clock;
  private final AppConfig.Meetings limits;

  public MeetingService(Pool pool, UserEvents events, Clock clock, AppConfig.Meetings limits) {
    this.pool = pool;
    this.events = events;
    this.clock = clock;
    this.limits = limits;
  }

  public AppConfig.Meetings limits() {
    return limits;
  }

  /** Result of create and of edits that may overlap other meetings. */
  public record Outcome(MeetingView view, List<JsonObject> warnings, List<Meeting> instances) {
    public JsonObject toJson() {
      JsonObject json = view.toJson();
      if (!warnings.isEmpty()) {
        json.put("warnings", new JsonArray(new ArrayList<>(warnings)));
      }
      if (instances.size() > 1) {
        JsonArray list = new JsonArray();
        instances.forEach(m -> list.add(new JsonObject()
            .put("meetingId", m.id())
            .put("startTime", m.startTime().toString())
            .put("endTime", m.endTime().toString())));
        json.put("instances", list);
      }
      return json;
    }
  }

  public record InviteResult(List<Participant> invited, List<JsonObject> skipped, List<JsonObject> warnings) {
    public JsonObject toJson() {
      JsonArray list = new JsonArray();
      invited.forEach(p -> list.add(p.toJson()));
      return new JsonObject()
          .put("invited", list)
          .put("skipped", new JsonArray(new ArrayList<>(skipped)))
          .put("warnings", new JsonArray(new ArrayList<>(warnings)));
    }
  }

  public record BulkResult(int deleted, int failed, List<JsonObject> errors) {
    public JsonObject toJson() {
      return new JsonObject()
          .put("deleted", deleted)
          .put("failed", failed)
          .put("errors", new JsonArray(new ArrayList<>(errors)));
    }
  }

  public record Page<T>(List<T> items, String nextCursor) {}

  /** The meeting, the caller's row in it (null for an admin who is not a participant) and effective role. */
  private record Access(Meeting meeting, Participant self, Role role, boolean admin) {
    boolean can(Permission p) {
      return Permissions.allows(role, admin, p);
    }

    Access require(Permission p) {
      if (!can(p)) {
        throw ApiException.forbidden("your role in this meeting does not allow " + p.wire());
      }
      return this;
    }
  }

  /** Events to publish once the transaction has committed. */
  private static final class Outbox {
    private record Pending(List<String> userIds, String type, JsonObject data) {}

    private final List<Pending> pending = new ArrayList<>();
    private final List<JsonObject> commands = new ArrayList<>();

    void add(List<String> userIds, String type, JsonObject data) {
      pending.add(new Pending(userIds, type, data));
    }

    /** The meeting stopped being live: its room is torn down after the commit. */
    void closed(String meetingId, MeetingStatus status, String reason) {
      command(Addresses.MEETING_TEARDOWN,
          new JsonObject().put("meetingId", meetingId).put("status", status.wire()).put("reason", reason));
    }

    /** The meeting went live: its room is opened after the commit. */
    void opened(Meeting m) {
      command(Addresses.ROOM_OPEN, new JsonObject().put("meetingId", m.id()).put("maxParticipants", m.maxParticipants()));
    }

    void command(String address, JsonObject body) {
      commands.add(new JsonObject().put("address", address).put("body", body));
    }
  }

  private <T> Future<T> inTransaction(java.util.function.BiFunction<SqlClient, Outbox, Future<T>> work) {
    Outbox outbox = new Outbox();
    return pool.withTransaction(conn -> work.apply(conn, outbox))
        .onSuccess(v -> {
          outbox.pending.forEach(p -> events.publish(p.userIds(), p.type(), p.data()));
          outbox.commands.forEach(c -> events.command(c.getString("address"), c.getJsonObject("body")));
        });
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  // ---- create -------------------------------------------------------------------------------

  public Future<Outcome> create(Identity actor, NewMeeting cmd) {
    Instant now = now();
    validateWindow(cmd.startTime(), cmd.endTime(), now, "startTime", "endTime");
    if (cmd.maxParticipants() != null && cmd.maxParticipants() > limits.maxParticipantsLimit()) {
      throw ApiException.validation(List.of(new FieldError(
          "maxParticipants", "range", "must be at most " + limits.maxParticipantsLimit())));
    }
    List<Recurrence.Window> windows =
        cmd.recurrence() == null
            ? List.of(new Recurrence.Window(cmd.startTime(), cmd.endTime()))
            : cmd.recurrence().windows(cmd.startTime(), cmd.endTime(), limits.maxRecurrenceInstances());
    List<Meeting> instances = new ArrayList<>();
    String seriesId = null;
    for (Recurrence.Window w : windows) {
      String id = MeetingIds.newMeetingId();
      instances.add(new Meeting(id, cmd.title(), cmd.description(), actor.userId(), w.start(), w.end(),
          MeetingStatus.SCHEDULED, false, cmd.maxParticipants(), cmd.allowExternal(), cmd.settings(),
          seriesId == null ? cmd.recurrence() : null, seriesId, null, null, 0, now, now));
      if (seriesId == null && cmd.recurrence() != null) {
        seriesId = id;
      }
    }
    List<String> invitees = cmd.participantIds().stream().filter(id -> !id.equals(actor.userId())).toList();
    List<String> everyone = new ArrayList<>();
    everyone.add(actor.userId());
    everyone.addAll(invitees);
    List<Seat> seats = new ArrayList<>();
    seats.add(new Seat(actor.userId(), Role.OWNER, ParticipantStatus.ACCEPTED));
    invitees.forEach(id -> seats.add(new Seat(id, Role.MEMBER, ParticipantStatus.INVITED)));
    // Overlaps are advisory: read before the write, which is one statement (no transaction needed).
    return repo.overlaps(pool, everyone, windows, List.of())
        .compose(overlaps -> repo.createMeetings(pool, instances, seats, VIEW_PARTICIPANTS + 1).map(rows -> {
          MeetingView view = view(instances.get(0), Role.OWNER, rows);
          events.publish(everyone, Events.MEETING_CREATED, view.toJson());
          return new Outcome(view, overlaps.stream().map(Overlap::toJson).toList(), instances);
        }));
  }

  private void validateWindow(Instant start, Instant end, Instant now, String startField, String endField) {
    List<FieldError> errors = new ArrayList<>();
    if (!end.isAfter(start)) {
      errors.add(new FieldError(endField, "order", "must be after " + startField));
    } else if (Duration.between(start, end).compareTo(Duration.ofHours(limits.maxDurationHours())) > 0) {
      errors.add(new FieldError(endField, "range", "meetings last at most " + limits.maxDurationHours() + " hours"));
    }
    if (!end.isAfter(now)) {
      errors.add(new FieldError(endField, "past", "must be in the future"));
    }
    if (!errors.isEmpty()) {
      throw ApiException.validation(errors);
    }
  }

  // ---- read ---------------------------------------------------------------------------------

  public Future<MeetingView> get(Identity actor, String meetingId) {
    return access(pool, actor, meetingId, false).compose(a -> view(pool, a.meeting(), a.role()));
  }

  public Future<Page<JsonObject>> list(Identity actor, MeetingQuery query) {
    return repo.list(pool, actor.userId(), query, now()).map(rows -> {
      boolean more = rows.size() > query.limit();
      List<MeetingRepository.Listed> page = more ? rows.subList(0, query.limit()) : rows;
      List<JsonObject> items = page.stream()
          .map(l -> l.meeting().toJson()
              .put("myRole", l.myRole() == null ? null : l.myRole().wire())
              .put("myStatus", l.myStatus() == null ? null : l.myStatus().wire()))
          .toList();
      Meeting last = page.isEmpty() ? null : page.get(page.size() - 1).meeting();
      return new Page<>(items, more ? new MeetingQuery.Cursor(last.startTime(), last.id()).encode() : null);
    });
  }

  public Future<Page<Participant>> participants(Identity actor, String meetingId, String afterUserId, int limit) {
    return access(pool, actor, meetingId, false)
        .compose(a -> repo.participants(pool, meetingId, afterUserId, limit + 1))
        .map(rows -> {
          boolean more = rows.size() > limit;
          List<Participant> page = more ? rows.subList(0, limit) : rows;
          return new Page<>(page, more ? page.get(page.size() - 1).userId() : null);
        });
  }

  private Future<MeetingView> view(SqlClient db, Meeting meeting, Role myRole) {
    return repo.participants(db, meeting.id(), null, VIEW_PARTICIPANTS + 1).map(rows -> view(meeting, myRole, rows));
  }

  /** The view of a meeting from its first participants (one more than shown, to tell there are more). */
  private static MeetingView view(Meeting meeting, Role myRole, List<Participant> firstRows) {
    boolean more = firstRows.size() > VIEW_PARTICIPANTS;
    return new MeetingView(meeting, myRole, more ? firstRows.subList(0, VIEW_PARTICIPANTS) : firstRows, more);
  }

  // ---- edit ---------------------------------------------------------------------------------

  public Future<Outcome> update(Identity actor, String meetingId, MeetingPatch patch, Scope scope) {
    return edit(actor, meetingId, patch, scope, Permission.EDIT_MEETING);
  }

  public Future<Outcome> updateSettings(Identity actor, String meetingId, SettingsPatch settings) {
    return edit(actor, meetingId, new MeetingPatch(null, null, false, null, null, settings), Scope.INSTANCE,
        Permission.UPDATE_SETTINGS);
  }

  private Future<Outcome> edit(Identity actor, String meetingId, MeetingPatch patch, Scope scope, Permission needed) {
    return inTransaction((db, out) -> access(db, actor, meetingId, true).compose(a -> {
      a.require(needed);
      Meeting m = a.meeting();
      requireActive(m);
      if (patch.movesTime() && scope == Scope.SERIES) {
        throw ApiException.badRequest("times can be changed for one occurrence only, not for a whole series");
      }
      if (patch.startTime() != null && m.status() == MeetingStatus.IN_PROGRESS
          && !patch.startTime().equals(m.startTime())) {
        throw ApiException.invalidState("the meeting is in progress: its start time can no longer change");
      }
      Instant now = now();
      Meeting changed = apply(m, patch, now);
      if (patch.movesTime()) {
        validateWindow(changed.startTime(), changed.endTime(), now, "startTime", "endTime");
      }
      Future<List<Meeting>> targets;
      if (scope == Scope.SERIES) {
        String seriesId = m.parentMeetingId() != null ? m.parentMeetingId() : m.recurrence() != null ? m.id() : null;
        if (seriesId == null) {
          throw ApiException.badRequest("scope=series applies to recurring meetings only");
        }
        targets = repo.scheduledSeriesInstances(db, seriesId).map(list -> {
          List<Meeting> all = new ArrayList<>(list.stream().map(x -> apply(x, patch, now)).toList());
          if (all.stream().noneMatch(x -> x.id().equals(m.id()))) {
            all.add(0, changed);
          }
          return all;
        });
      } else {
        targets = Future.succeededFuture(List.of(changed));
      }
      return targets.compose(list -> {
        Future<Void> chain = Future.succeededFuture();
        for (Meeting t : list) {
          chain = chain.compose(v -> repo.updateMeeting(db, t))
              .compose(v -> repo.participantIds(db, t.id(), ATTENDING))
              .map(users -> {
                out.add(users, Events.MEETING_UPDATED, t.toJson().put("updatedBy", actor.userId()));
                return null;
              });
        }
        return chain;
      })
          .compose(v -> patch.movesTime()
              ? repo.participantIds(db, m.id(), ATTENDING).compose(users -> repo.overlaps(db, users,
                  List.of(new Recurrence.Window(changed.startTime(), changed.endTime())), List.of(m.id())))
              : Future.succeededFuture(List.<Overlap>of()))
          .compose(overlaps -> view(db, changed, a.role())
              .map(view -> new Outcome(view, overlaps.stream().map(Overlap::toJson).toList(), List.of())));
    }));
  }

  private static Meeting apply(Meeting m, MeetingPatch p, Instant now) {
    SettingsPatch s = p.settings();
    Settings settings = new Settings(
        s.voiceOnly() != null ? s.voiceOnly() : m.settings().voiceOnly(),
        s.muteOnJoin() != null ? s.muteOnJoin() : m.settings().muteOnJoin(),
        s.waitingRoom() != null ? s.waitingRoom() : m.settings().waitingRoom());
    return new Meeting(m.id(),
        p.title() != null ? p.title() : m.title(),
        p.clearDescription() ? null : p.description() != null ? p.description() : m.description(),
        m.createdBy(),
        p.startTime() != null ? p.startTime() : m.startTime(),
        p.endTime() != null ? p.endTime() : m.endTime(),
        m.status(), m.instantCall(),
        s.clearMaxParticipants() ? null : s.maxParticipants() != null ? s.maxParticipants() : m.maxParticipants(),
        s.allowExternal() != null ? s.allowExternal() : m.allowExternal(),
        settings, m.recurrence(), m.parentMeetingId(), m.startedAt(), m.endedAt(), m.uniqueParticipantCount(),
        m.createdAt(), now);
  }

  private static Meeting withStatus(Meeting m, MeetingStatus status, Instant startedAt, Instant endedAt, Instant now) {
    return new Meeting(m.id(), m.title(), m.description(), m.createdBy(), m.startTime(), m.endTime(), status,
        m.instantCall(), m.maxParticipants(), m.allowExternal(), m.settings(), m.recurrence(), m.parentMeetingId(),
        startedAt, endedAt, m.uniqueParticipantCount(), m.createdAt(), now);
  }

  private static void requireActive(Meeting m) {
    if (!m.status().active()) {
      throw ApiException.invalidState("the meeting is " + m.status().wire());
    }
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  public Future<MeetingView> start(Identity actor, String meetingId) {
    return inTransaction((db, out) -> access(db, actor, meetingId, true).compose(a -> {
      a.require(Permission.START_EARLY);
      Meeting m = a.meeting();
      if (m.status() == MeetingStatus.IN_PROGRESS) {
        return view(db, m, a.role());
      }
      requireActive(m);
      Instant now = now();
      Meeting started = withStatus(m, MeetingStatus.IN_PROGRESS, now, null, now);
      return repo.updateMeeting(db, started)
          .compose(v -> repo.participantIds(db, m.id(), ATTENDING))
          .compose(users -> {
            out.opened(started);
            out.add(users, Events.MEETING_STARTED, new JsonObject()
                .put("meetingId", m.id()).put("startedAt", now.toString()).put("startedBy", actor.userId()));
            return view(db, started, a.role());
          });
    }));
  }

  public Future<MeetingView> end(Identity actor, String meetingId) {
    return inTransaction((db, out) -> access(db, actor, meetingId, true).compose(a -> {
      a.require(Permission.END_FOR_ALL);
      Meeting m = a.meeting();
      if (m.status() == MeetingStatus.ENDED) {
        return view(db, m, a.role());
      }
      if (m.status() == MeetingStatus.SCHEDULED) {
        throw ApiException.invalidState("the meeting has not started; cancel it instead");
      }
      requireActive(m);
      Instant now = now();
      Meeting ended = withStatus(m, MeetingStatus.ENDED, m.startedAt(), now, now);
      return repo.updateMeeting(db, ended)
          .compose(v -> repo.participantIds(db, m.id(), ATTENDING))
          .compose(users -> {
            out.closed(m.id(), MeetingStatus.ENDED, "ended_by_owner");
            out.add(users, Events.MEETING_ENDED, new JsonObject().put("meetingId", m.id())
                .put("endedAt", now.toString()).put("endedBy", actor.userId()).put("reason", "ended_by_owner"));
            return view(db, ended, a.role());
          });
    }));
  }

  public Future<Void> cancel(Identity actor, String meetingId, Scope scope) {
    return inTransaction((db, out) -> access(db, actor, meetingId, true).compose(a -> {
      a.require(Permission.CANCEL_MEETING);
      Meeting m = a.meeting();
      if (m.status() == MeetingStatus.CANCELLED && scope == Scope.INSTANCE) {
        return Future.<Void>succeededFuture();
      }
      if (m.status() == MeetingStatus.ENDED && scope == Scope.INSTANCE) {
        throw ApiException.invalidState("the meeting has already ended");
      }
      Future<List<Meeting>> targets;
      if (scope == Scope.SERIES) {
        String seriesId = m.parentMeetingId() != null ? m.parentMeetingId() : m.recurrence() != null ? m.id() : null;
        if (seriesId == null) {
          throw ApiException.badRequest("scope=series applies to recurring meetings only");
        }
        targets = repo.scheduledSeriesInstances(db, seriesId).map(list -> {
          List<Meeting> all = new ArrayList<>(list);
          if (m.status().active() && all.stream().noneMatch(x -> x.id().equals(m.id()))) {
            all.add(0, m);
          }
          return all;
        });
      } else {
        targets = Future.succeededFuture(List.of(m));
      }
      Instant now = now();
      return targets.compose(list -> {
        Future<Void> chain = Future.succeededFuture();
        for (Meeting t : list) {
          chain = chain.compose(v -> repo.updateMeeting(db, withStatus(t, MeetingStatus.CANCELLED, t.startedAt(),
                  t.status() == MeetingStatus.IN_PROGRESS ? now : null, now)))
              .compose(v -> repo.participantIds(db, t.id(), ATTENDING))
              .map(users -> {
                out.closed(t.id(), MeetingStatus.CANCELLED, "cancelled");
                out.add(users, Events.MEETING_CANCELLED,
                    new JsonObject().put("meetingId", t.id()).put("cancelledBy", actor.userId()));
                return null;
              });
        }
        return chain;
      });
    }));
  }

  /** Deletes each meeting the caller owns (or any, for an admin); each id succeeds or fails alone. */
  public Future<BulkResult> bulkDelete(Identity actor, List<String> meetingIds) {
    List<JsonObject> errors = new ArrayList<>();
    int[] deleted = {0};
    Future<Void> chain = Future.succeededFuture();
    for (String id : meetingIds) {
      chain = chain.compose(v -> deleteOne(actor, id)
          .onSuccess(x -> deleted[0]++)
          .recover(err -> {
            ErrorCode code = err instanceof ApiException e ? e.code() : ErrorCode.INTERNAL;
            errors.add(new JsonObject().put("meetingId", id).put("reason", code.wire())
                .put("message", err instanceof ApiException ? err.getMessage() : "could not delete"));
            return Future.succeededFuture();
          }));
    }
    return chain.map(v -> new BulkResult(deleted[0], errors.size(), errors));
  }

  private Future<Void> deleteOne(Identity actor, String meetingId) {
    return inTransaction((db, out) -> access(db, actor, meetingId, true).compose(a -> {
      a.require(Permission.DELETE_MEETING);
      Meeting m = a.meeting();
      Future<List<String>> told = m.status().active()
          ? repo.participantIds(db, m.id(), ATTENDING)
          : Future.succeededFuture(List.of());
      return told.compose(users -> {
        if (m.status().active()) {
          out.closed(m.id(), MeetingStatus.CANCELLED, "deleted");
        }
        out.add(users, Events.MEETING_CANCELLED,
            new JsonObject().put("meetingId", m.id()).put("cancelledBy", actor.userId()).put("deleted", true));
        return repo.deleteMeeting(db, m.id());
      });
    }));
  }

  // ---- participants -------------------------------------------------------------------------

  public Future<InviteResult> invite(Identity actor, String meetingId, List<String> userIds, Role role) {
    return inTransaction((db, out) -> access(db, actor, meetingId, true).compose(a -> {
      a.require(Permission.INVITE);
      if (role != Role.MEMBER) {
        a.require(Permission.ASSIGN_ROLES);
      }
      Meeting m = a.meeting();
      requireActive(m);
      Instant now = now();
      return repo.participantsAmong(db, m.id(), userIds).compose(existing -> {
        List<JsonObject> skipped = new ArrayList<>();
        Set<String> skip = new HashSet<>();
        for (Participant p : existing) {
          if (p.status() == ParticipantStatus.BANNED) {
            skipped.add(new JsonObject().put("userId", p.userId()).put("reason", "banned"));
            skip.add(p.userId());
          } else if (p.status() != ParticipantStatus.DECLINED) {
            skipped.add(new JsonObject().put("userId", p.userId()).put("reason", "already_participant"));
            skip.add(p.userId());
          }
        }
        List<String> fresh = userIds.stream().filter(u -> !skip.contains(u)).toList();
        return repo.participantIds(db, m.id(), ATTENDING)
            .compose(before -> repo.insertParticipants(db, List.of(m.id()), fresh, role, ParticipantStatus.INVITED,
                    actor.userId(), now)
                .compose(invited -> repo.participantsAmong(db, m.id(), invited))
                .compose(invited -> repo.overlaps(db, fresh,
                        List.of(new Recurrence.Window(m.startTime(), m.endTime())), List.of(m.id()))
                    .map(overlaps -> {
                      List<String> invitedIds = invited.stream().map(Participant::userId).toList();
                      if (!invitedIds.isEmpty()) {
                        if (m.status() == MeetingStatus.IN_PROGRESS) {
                          out.add(invitedIds, Events.MEETING_LIVE_INVITE_SENT, new JsonObject()
                              .put("meetingId", m.id()).put("title", m.title()).put("invitedBy", actor.userId())
                              .put("isInstantCall", m.instantCall()));
                        } else {
                          out.add(invitedIds, Events.MEETING_INVITED,
                              m.toJson().put("invitedBy", actor.userId()).put("role", role.wire()));
                        }
                        out.add(before, Events.MEETING_PARTICIPANTS_INVITED, new JsonObject()
                            .put("meetingId", m.id()).put("userIds", new JsonArray(invitedIds))
                            .put("invitedBy", actor.userId()));
                      }
                      return new InviteResult(invited, skipped, overlaps.stream().map(Overlap::toJson).toList());
                    })));
      });
    }));
  }

  public Future<Void> removeParticipant(Identity actor, String meetingId, String userId, boolean ban) {
    return inTransaction((db, out) -> access(db, actor, meetingId, true).compose(a -> {
      a.require(ban ? Permission.BAN_PARTICIPANT : Permission.REMOVE_PARTICIPANT);
      Meeting m = a.meeting();
      return repo.participant(db, m.id(), userId).compose(found -> {
        Participant target = found.orElseThrow(() -> ApiException.notFound("participant"));
        if (target.role() == Role.OWNER) {
          throw ApiException.invalidState("the owner cannot be removed; transfer ownership first");
        }
        if (target.status() == ParticipantStatus.BANNED) {
          if (ban) {
            return Future.<Void>succeededFuture();
          }
          throw ApiException.invalidState("the participant is banned; a ban is permanent");
        }
        Future<Void> change = ban
            ? repo.setParticipantStatus(db, m.id(), userId, ParticipantStatus.BANNED, now())
            : repo.deleteParticipant(db, m.id(), userId);
        return change.compose(v -> repo.participantIds(db, m.id(), ATTENDING)).map(users -> {
          out.command(Addresses.ROOM_REMOVE, new JsonObject().put("meetingId", m.id()).put("userId", userId));
          out.add(List.of(userId), Events.MEETING_REMOVED,
              new JsonObject().put("meetingId", m.id()).put("banned", ban).put("removedBy", actor.userId()));
          out.add(users, Events.MEETING_PARTICIPANT_REMOVED, new JsonObject().put("meetingId", m.id())
              .put("userId", userId).put("banned", ban).put("removedBy", actor.userId()));
          return null;
        });
      });
    }));
  }

  /** The caller accepts or declines their own invitation. */
  public Future<Participant> respond(Identity actor, String meetingId, String userId, ParticipantStatus answer) {
    return inTransaction((db, out) -> access(db, actor, meetingId, true).compose(a -> {
      if (!userId.equals(actor.userId())) {
        if (a.self() == null && !a.admin()) {
          throw ApiException.notFound("participant");
        }
        throw ApiException.forbidden("you can only answer your own invitation");
      }
      if (a.self() == null) {
        throw ApiException.notFound("participant");
      }
      if (a.self().role() == Role.OWNER && answer == ParticipantStatus.DECLINED) {
        throw ApiException.invalidState("the owner cannot decline their own meeting");
      }
      requireActive(a.meeting());
      Instant now = now();
      return repo.setParticipantStatus(db, meetingId, userId, answer, now)
          .compose(v -> repo.participantIds(db, meetingId,
              Set.of(ParticipantStatus.INVITED, ParticipantStatus.ACCEPTED, ParticipantStatus.DECLINED)))
          .compose(users -> {
            out.add(users, Events.MEETING_PARTICIPANT_RESPONDED,
                new JsonObject().put("meetingId", meetingId).put("userId", userId).put("status", answer.wire()));
            return repo.participant(db, meetingId, userId).map(p -> p.orElseThrow());
          });
    }));
  }

  /** Assigns a role; making someone owner transfers ownership (the previous owner becomes manager). */
  public Future<List<Participant>> assignRole(Identity actor, String meetingId, String userId, Role role) {
    return inTransaction((db, out) -> access(db, actor, meetingId, true).compose(a -> {
      a.require(Permission.ASSIGN_ROLES);
      Meeting m = a.meeting();
      requireActive(m);
      return repo.participant(db, m.id(), userId).compose(found -> {
        Participant target = found.orElseThrow(() -> ApiException.notFound("participant"));
        if (target.status() == ParticipantStatus.BANNED || target.status() == ParticipantStatus.DECLINED) {
          throw ApiException.invalidState("the participant is " + target.status().wire());
        }
        if (target.role() == role) {
          return Future.succeededFuture(List.of(target));
        }
        if (target.role() == Role.OWNER) {
          throw ApiException.invalidState("to change the owner, make another participant owner");
        }
        List<String[]> changes = new ArrayList<>();
        Future<Void> chain = Future.succeededFuture();
        if (role == Role.OWNER) {
          chain = repo.participantIds(db, m.id(), Set.of(ParticipantStatus.values()))
              .compose(all -> findOwner(db, m.id(), all))
              .compose(owner -> {
                changes.add(new String[] {owner, Role.MANAGER.wire(), Role.OWNER.wire()});
                return repo.setRole(db, m.id(), owner, Role.MANAGER);
              });
        }
        changes.add(new String[] {userId, role.wire(), target.role().wire()});
        return chain.compose(v -> repo.setRole(db, m.id(), userId, role))
            .compose(v -> repo.participantIds(db, m.id(), ATTENDING))
            .compose(users -> {
              for (String[] c : changes) {
                out.add(users, Events.MEETING_ROLE_CHANGED, new JsonObject().put("meetingId", m.id())
                    .put("userId", c[0]).put("role", c[1]).put("previousRole", c[2]).put("changedBy", actor.userId()));
              }
              return repo.participantsAmong(db, m.id(), changes.stream().map(c -> c[0]).toList());
            });
      });
    }));
  }

  private Future<String> findOwner(SqlClient db, String meetingId, List<String> userIds) {
    return repo.participantsAmong(db, meetingId, userIds).map(rows -> rows.stream()
        .filter(p -> p.role() == Role.OWNER).map(Participant::userId).findFirst()
        .orElseThrow(() -> new IllegalStateException("meeting " + meetingId + " has no owner")));
  }

  // ---- instant calls (the call package decides; these record) -------------------------------

  /** Creates an instant call in progress: the caller owns it, the callees are invited. */
  public Future<Meeting> createInstantCall(
      Identity caller, String callId, List<String> calleeIds, String title, Duration maxLength) {
    Instant now = now();
    Meeting call = new Meeting(callId, title, null, caller.userId(), now, now.plus(maxLength),
        MeetingStatus.IN_PROGRESS, true, null, false, Settings.DEFAULT, null, null, now, null, 0, now, now);
    List<Seat> seats = new ArrayList<>();
    seats.add(new Seat(caller.userId(), Role.OWNER, ParticipantStatus.ACCEPTED));
    calleeIds.forEach(id -> seats.add(new Seat(id, Role.MEMBER, ParticipantStatus.INVITED)));
    return repo.createMeetings(pool, List.of(call), seats, 0).map(call);
  }

  /** The call, when {@code userId} belongs to it (or is an admin); not-found otherwise. */
  public Future<MeetingView> getCall(Identity actor, String callId) {
    if (!callId.startsWith(MeetingIds.CALL_PREFIX)) {
      return Future.failedFuture(ApiException.notFound("call"));
    }
    return get(actor, callId);
  }

  /** Adds people rung into a call mid-way; banned users stay out. Returns who was added. */
  public Future<List<String>> addCallParticipants(String callId, String inviterId, List<String> userIds) {
    Instant now = now();
    return inTransaction((db, out) -> repo.participantsAmong(db, callId, userIds).compose(existing -> {
      Set<String> banned = new HashSet<>();
      existing.stream().filter(p -> p.status() == ParticipantStatus.BANNED).forEach(p -> banned.add(p.userId()));
      List<String> allowed = userIds.stream().filter(u -> !banned.contains(u)).toList();
      return repo.insertParticipants(db, List.of(callId), allowed, Role.MEMBER, ParticipantStatus.INVITED, inviterId, now)
          .map(v -> allowed);
    }));
  }

  /** Records a callee's answer (accepted or declined). */
  public Future<Void> recordCallAnswer(String callId, String userId, ParticipantStatus answer) {
    return repo.setParticipantStatus(pool, callId, userId, answer, now());
  }

  /** Marks a call ended, once. */
  public Future<Void> endCall(String callId) {
    Instant now = now();
    return inTransaction((db, out) -> repo.find(db, callId, true).compose(found -> {
      if (found.isEmpty() || !found.get().status().active()) {
        return Future.<Void>succeededFuture();
      }
      Meeting m = found.get();
      return repo.updateMeeting(db, withStatus(m, MeetingStatus.ENDED, m.startedAt(), now, now));
    }));
  }

  // ---- the live room (the room package decides; these record) -------------------------------

  /** The caller's place in a meeting: its role and answer; not-found for outsiders, as everywhere. */
  public record Membership(Meeting meeting, Role role, ParticipantStatus status, boolean admin) {}

  public Future<Membership> membership(Identity actor, String meetingId) {
    return access(pool, actor, meetingId, false).map(a ->
        new Membership(a.meeting(), a.role(), a.self() == null ? null : a.self().status(), a.admin()));
  }

  public Future<java.util.Optional<Meeting>> find(String meetingId) {
    return MeetingIds.plausible(meetingId) ? repo.find(pool, meetingId, false) : Future.succeededFuture(java.util.Optional.empty());
  }

  /** The first join of a scheduled meeting starts it. */
  public Future<Void> startByJoin(String meetingId, String userId) {
    return inTransaction((db, out) -> repo.find(db, meetingId, true).compose(found -> {
      if (found.isEmpty() || found.get().status() != MeetingStatus.SCHEDULED) {
        return Future.<Void>succeededFuture();
      }
      Instant now = now();
      Meeting started = withStatus(found.get(), MeetingStatus.IN_PROGRESS, now, null, now);
      return repo.updateMeeting(db, started).compose(v -> repo.participantIds(db, meetingId, ATTENDING)).map(users -> {
        out.opened(started);
        out.add(users, Events.MEETING_STARTED, new JsonObject()
            .put("meetingId", meetingId).put("startedAt", now.toString()).put("startedBy", userId));
        return null;
      });
    }));
  }

  /** Records that {@code identity} joined: their first join, and the meeting's count of people who joined. */
  public Future<Void> recordJoin(String meetingId, String identity) {
    return repo.recordJoin(pool, meetingId, identity, now());
  }

  /** Attending participants (invited or accepted). */
  public Future<List<String>> attendingIds(String meetingId) {
    return repo.participantIds(pool, meetingId, ATTENDING);
  }

  /** Everyone who belongs to the meeting, banned people aside. */
  public Future<List<String>> participantIds(String meetingId) {
    return repo.participantIds(pool, meetingId,
        Set.of(ParticipantStatus.INVITED, ParticipantStatus.ACCEPTED, ParticipantStatus.DECLINED));
  }

  /** Everyone left the room: the meeting ends now. */
  public Future<Void> endBecauseEmpty(String meetingId) {
    return endLive(meetingId, "everyone_left");
  }

  /** LiveKit finished the room: the meeting ends. */
  public Future<Void> endFromMediaServer(String meetingId) {
    return endLive(meetingId, "room_finished");
  }

  private Future<Void> endLive(String meetingId, String reason) {
    return inTransaction((db, out) -> repo.find(db, meetingId, true).compose(found -> {
      if (found.isEmpty() || !found.get().status().active()) {
        return Future.<Void>succeededFuture();
      }
      Instant now = now();
      Meeting m = found.get();
      return repo.updateMeeting(db, withStatus(m, MeetingStatus.ENDED, m.startedAt(), now, now))
          .compose(v -> repo.participantIds(db, meetingId, ATTENDING)).map(users -> {
            out.closed(meetingId, MeetingStatus.ENDED, reason);
            out.add(users, Events.MEETING_ENDED, new JsonObject().put("meetingId", meetingId)
                .put("endedAt", now.toString()).put("reason", reason));
            return null;
          });
    }));
  }

  // ---- timed work (the schedule package decides when; these change state and tell people) -----

  /** A member's place in the waiting room: null (never waited), waiting, admitted or declined. */
  public Future<String> lobby(String meetingId, String userId) {
    return repo.lobby(pool, meetingId, userId);
  }

  /** Puts a member in the waiting room unless they were decided on; true when they wait now. */
  public Future<Boolean> enterLobby(String meetingId, String userId) {
    return repo.moveLobby(pool, meetingId, userId, List.of("none", "waiting"), "waiting");
  }

  /** An owner or manager lets a waiting member in or turns them away; the first decision wins. */
  public Future<Boolean> decideLobby(Identity actor, String meetingId, String userId, boolean admit) {
    return membership(actor, meetingId).compose(m -> {
      if (!Permissions.allows(m.role(), m.admin(), Permission.ADMIT_MEMBERS)) {
        throw ApiException.forbidden("your role in this meeting does not allow admit_members");
      }
      return repo.moveLobby(pool, meetingId, userId, List.of("waiting"), admit ? "admitted" : "declined");
    });
  }

  public Future<List<JsonObject>> waitingMembers(String meetingId) {
    return repo.waitingMembers(pool, meetingId);
  }

  /** The owner's display name (their id when the users table has none). */
  public Future<String> ownerName(String meetingId) {
    return repo.ownerName(pool, meetingId);
  }

  /** Starts scheduled meetings whose start has come. Returns how many. */
  public Future<Integer> startDue(int batch) {
    Instant now = now();
    return inTransaction((db, out) -> repo.startDue(db, now, batch).compose(started -> announce(db, out, started, m -> {
      out.opened(m);
      return new Announcement(Events.MEETING_STARTED,
          new JsonObject().put("meetingId", m.id()).put("startedAt", now.toString()).put("startedBy", null));
    })));
  }

  /** Ends meetings past their end that nobody is in, and calls older than {@code maxCall}. */
  public Future<Integer> endDue(Duration maxCall, int batch) {
    Instant now = now();
    return inTransaction((db, out) -> repo.endDue(db, now, batch)
        .compose(ended -> announce(db, out, ended, m -> ending(out, m, "scheduled_end", now)))
        .compose(n -> repo.endOldCalls(db, now, now.minus(maxCall), batch)
            .compose(calls -> announce(db, out, calls, m -> ending(out, m, "max_duration", now)))
            .map(c -> n + c)));
  }

  /** Deletes what outlived its retention; {@code retention} zero keeps everything. */
  public Future<Integer> purge(Duration retention, int batch) {
    if (retention.isZero()) {
      return Future.succeededFuture(0);
    }
    return repo.purge(pool, now().minus(retention), batch);
  }

  /** Reminders newly due, each recorded once per user, meeting and offset. */
  public Future<List<DueReminder>> dueReminders(List<Integer> offsets, Duration lapse, int batch) {
    return repo.dueReminders(pool, now(), offsets, lapse, batch);
  }

  private record Announcement(String type, JsonObject data) {}

  private Announcement ending(Outbox out, Meeting m, String reason, Instant now) {
    out.closed(m.id(), MeetingStatus.ENDED, reason);
    return new Announcement(Events.MEETING_ENDED,
        new JsonObject().put("meetingId", m.id()).put("endedAt", now.toString()).put("reason", reason));
  }

  private Future<Integer> announce(SqlClient db, Outbox out, List<Meeting> meetings,
      java.util.function.Function<Meeting, Announcement> what) {
    Future<Void> chain = Future.succeededFuture();
    for (Meeting m : meetings) {
      chain = chain.compose(v -> repo.participantIds(db, m.id(), ATTENDING).map(users -> {
        Announcement a = what.apply(m);
        out.add(users, a.type(), a.data());
        return null;
      }));
    }
    return chain.map(meetings.size());
  }

  /** Who shares an in-progress meeting with {@code userId}: they hear about that user's presence. */
  public Future<List<String>> coParticipantsInProgress(String userId) {
    return repo.coParticipantsInProgress(pool, userId, 5000);
  }

  // ---- access -------------------------------------------------------------------------------

  /**
   * Loads the meeting for {@code actor}. Someone who is not a participant (or is banned) gets
   * not-found, never forbidden: a meeting's existence is not disclosed.
   */
  private Future<Access> access(SqlClient db, Identity actor, String meetingId, boolean lock) {
    if (!MeetingIds.plausible(meetingId)) {
      return Future.failedFuture(ApiException.notFound("meeting"));
    }
    return repo.find(db, meetingId, lock).compose(found -> {
      if (found.isEmpty()) {
        return Future.failedFuture(ApiException.notFound("meeting"));
      }
      return repo.participant(db, meetingId, actor.userId()).compose(self -> {
        Participant p = self.filter(x -> x.status() != ParticipantStatus.BANNED).orElse(null);
        if (p == null && !actor.admin()) {
          return Future.failedFuture(ApiException.notFound("meeting"));
        }
        Role role = actor.admin() ? Role.OWNER : p.role();
        return Future.succeededFuture(new Access(found.get(), p, role, actor.admin()));
      });
    });
  }
}
