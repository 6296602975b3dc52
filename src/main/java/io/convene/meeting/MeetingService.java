package io.convene.meeting;

import io.convene.bus.Addresses;
import io.convene.audit.AuditLog;
import io.convene.bus.UserEvents;
import io.convene.config.AppConfig;
import io.convene.meeting.Commands.MeetingPatch;
import io.convene.meeting.Commands.NewMeeting;
import io.convene.meeting.Commands.Scope;
import io.convene.meeting.Commands.SettingsPatch;
import io.convene.meeting.MeetingLifecycle.Cause;
import io.convene.meeting.MeetingRepository.Overlap;
import io.convene.outbox.WebhookEvent;
import io.convene.protocol.ApiException;
import io.convene.protocol.ErrorCode;
import io.convene.protocol.Events;
import io.convene.protocol.FieldError;
import io.convene.protocol.Identity;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Meetings as their owners and managers shape them: create (one meeting or a series), read, list, edit,
 * start, end, cancel and delete. Each change of an existing meeting runs in one transaction with the
 * meeting row locked; status changes go through {@link MeetingLifecycle}; creation is one statement.
 * Participants are {@link ParticipantService}'s.
 */
public final class MeetingService {
  public static final int MAX_BULK = 100;

  private final Transactions tx;
  private final MeetingRepository repo;
  private final ParticipantRepository participants;
  private final MeetingAccess access;
  private final StatusChanges changes;
  private final Views views;
  private final LiveRoster roster;
  private final UserEvents events;
  private final AppConfig.Meetings limits;

  MeetingService(Transactions tx, MeetingRepository repo, ParticipantRepository participants, MeetingAccess access,
      StatusChanges changes, Views views, LiveRoster roster, UserEvents events, AppConfig.Meetings limits) {
    this.roster = roster;
    this.tx = tx;
    this.repo = repo;
    this.participants = participants;
    this.access = access;
    this.changes = changes;
    this.views = views;
    this.events = events;
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

  public record BulkResult(int deleted, int failed, List<JsonObject> errors) {
    public JsonObject toJson() {
      return new JsonObject()
          .put("deleted", deleted)
          .put("failed", failed)
          .put("errors", new JsonArray(new ArrayList<>(errors)));
    }
  }

  private Instant now() {
    return changes.now();
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
    // Overlaps are advisory, read on another connection while the meeting is written (one statement with
    // its records): the commit waits for them, so they never include the meeting itself. That connection
    // is asked for first, so a transaction never holds one while its read queues behind it in a full pool.
    Future<List<Overlap>> overlaps = repo.overlaps(tx.pool(), everyone, windows, List.of());
    return tx.run((db, after) -> {
      // named before the statement, so they travel with it (see Transactions)
      for (Meeting m : instances) {
        after.audit(AuditLog.MEETING_CREATED, m.id(), actor.userId(), new JsonObject()
            .put("title", m.title()).put("startTime", m.startTime().toString())
            .put("endTime", m.endTime().toString()).put("participantIds", new JsonArray(invitees))
            .put("seriesId", m.parentMeetingId()));
        after.webhook(WebhookEvent.MEETING_CREATED, m.toJson().put("participantIds", new JsonArray(invitees)));
        if (!invitees.isEmpty()) {
          after.webhook(WebhookEvent.PARTICIPANT_INVITED, new JsonObject().put("meetingId", m.id())
              .put("userIds", new JsonArray(invitees)).put("role", Role.MEMBER.wire())
              .put("invitedBy", actor.userId()));
        }
      }
      Future<List<Participant>> rows = repo.createMeetings(db, instances, seats, Views.VIEW_PARTICIPANTS + 1);
      return Future.all(rows, overlaps).map(v -> rows.result());
    })
        .compose(rows -> views.of(tx.pool(), instances.get(0), Role.OWNER, rows))
        .map(view -> {
          events.publish(everyone, Events.MEETING_CREATED, view.toJson());
          return new Outcome(view, overlaps.result().stream().map(Overlap::toJson).toList(), instances);
        });
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

  /**
   * Stores a meeting that is live from the start (an instant call) with its seats. Once it is committed,
   * {@code then} runs while the meeting's live roster is written; answers {@code then}'s result once both are
   * done (a roster that failed to be written is healed by the sweep). Nobody is told here: the caller (the
   * call package) says what happened.
   */
  public <T> Future<T> createLive(Meeting meeting, List<Seat> seats, Function<Meeting, Future<T>> then) {
    List<String> callees = seats.stream().filter(s -> s.role() != Role.OWNER).map(Seat::userId).toList();
    return tx.run((db, after) -> {
      // named before the statement, so they travel with it (see Transactions)
      after.audit(AuditLog.MEETING_CREATED, meeting.id(), meeting.createdBy(), new JsonObject()
          .put("title", meeting.title()).put("isInstantCall", meeting.instantCall())
          .put("participantIds", new JsonArray(callees)));
      if (meeting.instantCall()) {
        after.webhook(WebhookEvent.CALL_STARTED, new JsonObject().put("callId", meeting.id())
            .put("meetingId", meeting.id()).put("title", meeting.title()).put("callerId", meeting.createdBy())
            .put("calleeIds", new JsonArray(callees)).put("startedAt", meeting.startedAt() == null ? null
                : meeting.startedAt().toString()));
      }
      return repo.createMeetings(db, List.of(meeting), seats, 0).map(meeting);
    }).compose(created -> {
      Future<?> rostered = roster.apply(LiveRoster.opened(meeting.id(), seats.stream().map(Seat::userId).toList())
          .payload()).otherwiseEmpty();
      Future<T> done = then.apply(created);
      return Future.join(rostered, done).transform(x -> done);
    });
  }

  // ---- read ---------------------------------------------------------------------------------

  public Future<MeetingView> get(Identity actor, String meetingId) {
    return access.load(tx.pool(), actor, meetingId, false).compose(a -> views.of(tx.pool(), a.meeting(), a.role()));
  }

  public Future<Page<JsonObject>> list(Identity actor, MeetingQuery query) {
    return repo.list(tx.pool(), actor.userId(), query, now()).map(rows -> {
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

  public Future<Optional<Meeting>> find(String meetingId) {
    return MeetingIds.plausible(meetingId) ? repo.find(tx.pool(), meetingId, false) : Future.succeededFuture(Optional.empty());
  }

  /** The owner of a meeting (their user id). */
  public Future<Optional<String>> owner(String meetingId) {
    return repo.owner(tx.pool(), meetingId);
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
    String action = needed == Permission.UPDATE_SETTINGS ? AuditLog.SETTINGS_CHANGED : AuditLog.MEETING_UPDATED;
    return tx.run((db, after) -> access.load(db, actor, meetingId, true).compose(a -> {
      a.require(needed);
      if (!patch.onlyRecordingAccess()) {
        // who sees the recordings may still change once the meeting is over: that is when they matter
        a.requireActive();
      }
      Meeting m = a.meeting();
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
        targets = repo.scheduledSeriesInstances(db, seriesOf(m)).map(list -> {
          List<Meeting> all = new ArrayList<>(list.stream().map(x -> apply(x, patch, now)).toList());
          if (all.stream().noneMatch(x -> x.id().equals(m.id()))) {
            all.add(0, changed);
          }
          return all;
        });
      } else {
        targets = Future.succeededFuture(List.of(changed));
      }
      return targets.compose(list -> (scope == Scope.SERIES ? requireInEach(db, actor, list, needed)
          : Future.<Void>succeededFuture()).map(list)).compose(list -> {
        Future<Void> chain = Future.succeededFuture();
        for (Meeting t : list) {
          chain = chain.compose(v -> repo.find(db, t.id(), false))
              .compose(before -> repo.updateMeeting(db, t).map(before))
              .compose(before -> roomAfterEdit(db, after, before.orElse(t), t).map(before))
              .compose(before -> participants.participantIds(db, t.id(), ParticipantService.ATTENDING)
                  .map(users -> {
                    JsonObject changes = changes(before.orElse(t), t);
                    if (before.isPresent() && before.get().allowExternal() && !t.allowExternal()) {
                      after.command(Addresses.GUESTS_DISALLOWED, new JsonObject().put("meetingId", t.id()));
                    }
                    after.tell(users, Events.MEETING_UPDATED, t.toJson().put("updatedBy", actor.userId()));
                    after.audit(action, t.id(), actor.userId(), new JsonObject().put("changes", changes)
                        .put("scope", scope == Scope.SERIES ? "series" : "instance"));
                    after.webhook(WebhookEvent.MEETING_UPDATED,
                        t.toJson().put("updatedBy", actor.userId()).put("changes", changes));
                    return null;
                  }));
        }
        return chain;
      })
          .compose(v -> patch.movesTime()
              ? participants.participantIds(db, m.id(), ParticipantService.ATTENDING).compose(users -> repo.overlaps(db, users,
                  List.of(new Recurrence.Window(changed.startTime(), changed.endTime())), List.of(m.id())))
              : Future.succeededFuture(List.<Overlap>of()))
          .compose(overlaps -> views.of(db, changed, a.role())
              .map(view -> new Outcome(view, overlaps.stream().map(Overlap::toJson).toList(), List.of())));
    }));
  }

  /**
   * A scheduled meeting whose LiveKit room was created ahead of its start, moved to a later start or
   * given another participant limit: the room was made for the old start (LiveKit counts its empty
   * timeout from its creation) or the old limit, so it is closed and the meeting forgets it; the
   * schedule sweep asks for a new one when the start comes within reach. An earlier start keeps it.
   */
  private Future<Void> roomAfterEdit(SqlClient db, AfterCommit after, Meeting before, Meeting changed) {
    boolean later = changed.startTime().isAfter(before.startTime());
    boolean newLimit = !Objects.equals(before.maxParticipants(), changed.maxParticipants());
    if (changed.status() != MeetingStatus.SCHEDULED || (!later && !newLimit)) {
      return Future.succeededFuture();
    }
    return repo.forgetRoomRequest(db, changed.id()).map(forgot -> {
      if (forgot) {
        after.command(Addresses.ROOM_CLOSE, new JsonObject().put("meetingId", changed.id()));
      }
      return null;
    });
  }

  /** What an edit changed: {@code {field: {"from", "to"}}} for every field that differs. */
  private static JsonObject changes(Meeting before, Meeting after) {
    JsonObject from = before.toJson();
    JsonObject to = after.toJson();
    JsonObject out = new JsonObject();
    for (String field : to.fieldNames()) {
      if (!field.equals("updatedAt") && !Objects.equals(from.getValue(field), to.getValue(field))) {
        out.put(field, new JsonObject().put("from", from.getValue(field)).put("to", to.getValue(field)));
      }
    }
    return out;
  }

  private static Meeting apply(Meeting m, MeetingPatch p, Instant now) {
    SettingsPatch s = p.settings();
    Settings settings = new Settings(
        s.voiceOnly() != null ? s.voiceOnly() : m.settings().voiceOnly(),
        s.muteOnJoin() != null ? s.muteOnJoin() : m.settings().muteOnJoin(),
        s.waitingRoom() != null ? s.waitingRoom() : m.settings().waitingRoom(),
        s.autoRecord() != null ? s.autoRecord() : m.settings().autoRecord(),
        s.recordingAccess() != null ? s.recordingAccess() : m.settings().recordingAccess());
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

  // ---- status ---------------------------------------------------------------------------------

  public Future<MeetingView> start(Identity actor, String meetingId) {
    return byActor(actor, meetingId, Permission.START_EARLY, Cause.STARTED_BY_OWNER);
  }

  public Future<MeetingView> end(Identity actor, String meetingId) {
    return byActor(actor, meetingId, Permission.END_FOR_ALL, Cause.ENDED_BY_OWNER);
  }

  private Future<MeetingView> byActor(Identity actor, String meetingId, Permission needed, Cause cause) {
    return tx.run((db, after) -> access.load(db, actor, meetingId, true).compose(a -> {
      a.require(needed);
      return changes.apply(db, after, a.meeting(), cause, actor.userId())
          .compose(t -> views.of(db, t.map(MeetingLifecycle.Transition::after).orElse(a.meeting()), a.role()));
    }));
  }

  public Future<Void> cancel(Identity actor, String meetingId, Scope scope) {
    return tx.run((db, after) -> access.load(db, actor, meetingId, true).compose(a -> {
      a.require(Permission.CANCEL_MEETING);
      Meeting m = a.meeting();
      if (scope == Scope.INSTANCE) {
        return changes.apply(db, after, m, Cause.CANCELLED, actor.userId()).mapEmpty();
      }
      return repo.scheduledSeriesInstances(db, seriesOf(m)).compose(list -> {
        List<Meeting> all = new ArrayList<>(list);
        if (m.status().active() && all.stream().noneMatch(x -> x.id().equals(m.id()))) {
          all.add(0, m);
        }
        Future<Void> chain = requireInEach(db, actor, all, Permission.CANCEL_MEETING);
        for (Meeting t : all) {
          chain = chain.compose(v -> changes.apply(db, after, t, Cause.CANCELLED, actor.userId()).mapEmpty());
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
    return tx.run((db, after) -> access.load(db, actor, meetingId, true).compose(a -> {
      a.require(Permission.DELETE_MEETING);
      return changes.apply(db, after, a.meeting(), Cause.DELETED, actor.userId())
          .compose(t -> repo.deleteMeeting(db, meetingId));
    }));
  }

  /**
   * A change to a whole series is authorized occurrence by occurrence: roles are per occurrence, so the
   * manager of one is not the manager of the others. Refuses, naming the occurrences the caller may not
   * change, unless they may change every one.
   */
  private Future<Void> requireInEach(SqlClient db, Identity actor, List<Meeting> occurrences, Permission needed) {
    if (actor.admin()) {
      return Future.succeededFuture();
    }
    List<String> denied = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (Meeting t : occurrences) {
      chain = chain.compose(v -> participants.participant(db, t.id(), actor.userId()).map(p -> {
        boolean allowed = p.isPresent() && p.get().status() != ParticipantStatus.BANNED
            && p.get().status() != ParticipantStatus.DECLINED && Permissions.allows(p.get().role(), false, needed);
        if (!allowed) {
          denied.add(t.id());
        }
        return null;
      }));
    }
    return chain.map(v -> {
      if (!denied.isEmpty()) {
        throw ApiException.forbidden("your role does not allow " + needed.wire() + " in " + denied.size()
            + " occurrence(s) of this series: " + String.join(", ", denied.subList(0, Math.min(10, denied.size())))
            + (denied.size() > 10 ? ", ..." : "") + "; change the occurrences you manage one by one");
      }
      return null;
    });
  }

  /** The series a recurring meeting belongs to (its first occurrence); bad request for a single meeting. */
  private static String seriesOf(Meeting m) {
    String seriesId = m.parentMeetingId() != null ? m.parentMeetingId() : m.recurrence() != null ? m.id() : null;
    if (seriesId == null) {
      throw ApiException.badRequest("scope=series applies to recurring meetings only");
    }
    return seriesId;
  }
}
