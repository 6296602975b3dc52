package io.convene.recording;

import io.convene.attendance.Attendance;
import io.convene.audit.AuditEntry;
import io.convene.audit.AuditLog;
import io.convene.bus.Addresses;
import io.convene.bus.UserEvents;
import io.convene.config.AppConfig;
import io.convene.livekit.EgressReport;
import io.convene.livekit.LiveKitEgress;
import io.convene.livekit.LiveKitRefusal;
import io.convene.livekit.LiveKitRooms;
import io.convene.meeting.Meeting;
import io.convene.meeting.MeetingIds;
import io.convene.meeting.MeetingService;
import io.convene.meeting.MeetingStatus;
import io.convene.meeting.ParticipantService;
import io.convene.meeting.Permission;
import io.convene.meeting.RecordingAccess;
import io.convene.outbox.Effect;
import io.convene.outbox.Outbox;
import io.convene.outbox.WebhookEvent;
import io.convene.protocol.ApiException;
import io.convene.protocol.ErrorCode;
import io.convene.protocol.Events;
import io.convene.protocol.FieldError;
import io.convene.protocol.Identity;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recordings of meetings through LiveKit Egress: starting and stopping them (by owners and managers, or
 * by the {@code autoRecord} setting and the end of the meeting), following LiveKit's reports about
 * their egress through {@link RecordingProgress}, telling everyone in the meeting (guests in the room
 * included) when they start and stop being recorded, and who may see them.
 *
 * <p>Every call to LiveKit is a command carried out from the outbox, so it is retried until LiveKit
 * answers and survives the node that asked for it. An egress is matched to its recording by its id, or
 * before LiveKit's answer arrived (a lost answer, a node that died) by the recording id in its file
 * path: a retried start adopts the egress LiveKit already runs instead of starting a second one.
 */
public final class Recordings {
  private static final Logger LOG = LoggerFactory.getLogger(Recordings.class);
  private static final String PREFIX = "rec_";
  private static final Pattern ID = Pattern.compile("rec_[A-Za-z0-9_-]{22}");
  private static final SecureRandom RANDOM = new SecureRandom();
  public static final int MAX_PAGE = 100;

  private final Pool pool;
  private final RecordingRepository repo = new RecordingRepository();
  private final Outbox outbox;
  private final UserEvents events;
  private final MeetingService meetings;
  private final ParticipantService participants;
  private final Attendance attendance;
  private final LiveKitEgress egress;
  private final LiveKitRooms rooms;
  private final AppConfig.Recordings config;
  private final Clock clock;

  public Recordings(Pool pool, Outbox outbox, UserEvents events, MeetingService meetings,
      ParticipantService participants, Attendance attendance, LiveKitEgress egress, LiveKitRooms rooms,
      AppConfig.Recordings config, Clock clock) {
    this.pool = pool;
    this.outbox = outbox;
    this.events = events;
    this.meetings = meetings;
    this.participants = participants;
    this.attendance = attendance;
    this.egress = egress;
    this.rooms = rooms;
    this.config = config;
    this.clock = clock;
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  static String newId() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Cheap shape check before touching the database: anything else is simply not found. */
  static boolean plausible(String id) {
    return id != null && ID.matcher(id).matches();
  }

  // ---- what people ask --------------------------------------------------------------------------

  /** An owner or manager starts a recording of a meeting in progress; it starts in LiveKit right after. */
  public Future<JsonObject> start(Identity who, String meetingId) {
    return participants.membership(who, meetingId).compose(m -> {
      m.require(Permission.RECORD);
      if (m.meeting().status() != MeetingStatus.IN_PROGRESS) {
        throw ApiException.invalidState("the meeting is " + m.meeting().status().wire()
            + "; a recording starts while it is in progress");
      }
      return begin(m.meeting(), who.userId(), false).compose(started -> started.isPresent()
          ? Future.succeededFuture(started.get().toJson())
          : runningIn(meetingId).map(running -> {
            throw new ApiException(ErrorCode.CONFLICT, running
                .map(r -> "recording " + r.id() + " is already running in this meeting; stop it first")
                .orElse("another recording started at the same moment; try again"));
          }));
    });
  }

  /** An owner or manager stops a running recording; LiveKit is told right after. */
  public Future<JsonObject> stop(Identity who, String meetingId, String recordingId) {
    return participants.membership(who, meetingId).compose(m -> {
      m.require(Permission.RECORD);
      return ofMeeting(recordingId, meetingId);
    }).compose(r -> {
      if (!r.status().active()) {
        throw ApiException.invalidState("the recording is " + r.status().wire() + "; only a running recording stops");
      }
      return requestStop(r.id(), who.userId(), "stopped").map(stopped -> stopped
          .orElseThrow(() -> ApiException.invalidState("the recording is no longer running")).toJson());
    });
  }

  /** A meeting's recordings, for those the meeting's {@code recordingAccess} lets see them. */
  public Future<JsonObject> list(Identity who, String meetingId, String after, int limit) {
    return participants.membership(who, meetingId).compose(m -> {
      if (!m.meeting().settings().recordingAccess().allows(m.role(), m.admin())) {
        throw ApiException.notFound("meeting");
      }
      if (after != null && !plausible(after)) {
        throw ApiException.validation(List.of(new FieldError("cursor", "invalid",
            "is not a cursor this list gave")));
      }
      return repo.page(pool, meetingId, after, limit + 1);
    }).map(rows -> {
      boolean more = rows.size() > limit;
      List<Recording> page = more ? rows.subList(0, limit) : rows;
      JsonArray items = new JsonArray();
      page.forEach(r -> items.add(r.toJson()));
      JsonObject out = new JsonObject().put("items", items);
      if (more) {
        out.put("nextCursor", page.get(page.size() - 1).id());
      }
      return out;
    });
  }

  /** One recording, for whoever the meeting's {@code recordingAccess} lets see it; not found for others. */
  public Future<JsonObject> get(Identity who, String recordingId) {
    return visible(who, recordingId).map(Recording::toJson);
  }

  /** The meeting's owner deletes a recording that is over; the file stays where LiveKit wrote it. */
  public Future<Void> delete(Identity who, String recordingId) {
    return visible(who, recordingId).compose(r -> participants.membership(who, r.meetingId())
        .recover(err -> Future.failedFuture(err instanceof ApiException e && e.code() == ErrorCode.NOT_FOUND
            ? ApiException.forbidden("only the meeting's owner deletes its recordings") : err))
        .compose(m -> {
          m.require(Permission.DELETE_RECORDING);
          if (!r.status().terminal()) {
            throw ApiException.invalidState("the recording is " + r.status().wire()
                + "; stop it and let it finish first");
          }
          return repo.deleteSettled(pool, r.id());
        })
        .map(deleted -> {
          if (!deleted) {
            throw ApiException.notFound("recording");
          }
          return (Void) null;
        }));
  }

  /** What the join answer says about recording: {@code {"active":true,"recordingId","status"}} or {@code {"active":false}}. */
  public Future<JsonObject> joinInfo(String meetingId) {
    return runningIn(meetingId).map(found -> found
        .map(r -> new JsonObject().put("active", true).put("recordingId", r.id()).put("status", r.status().wire()))
        .orElse(new JsonObject().put("active", false)));
  }

  private Future<Optional<Recording>> runningIn(String meetingId) {
    return MeetingIds.plausible(meetingId) ? repo.active(pool, meetingId) : Future.succeededFuture(Optional.empty());
  }

  private Future<Recording> ofMeeting(String recordingId, String meetingId) {
    if (!plausible(recordingId)) {
      return Future.failedFuture(ApiException.notFound("recording"));
    }
    return repo.find(pool, recordingId).map(found -> found.filter(r -> r.meetingId().equals(meetingId))
        .orElseThrow(() -> ApiException.notFound("recording")));
  }

  /**
   * The recording if {@code who} may see it: anyone for {@code public}, else by their role in the
   * meeting (guests only ever see public ones). Everyone else gets not found, as for an unknown id.
   */
  private Future<Recording> visible(Identity who, String recordingId) {
    if (!plausible(recordingId)) {
      return Future.failedFuture(ApiException.notFound("recording"));
    }
    return repo.find(pool, recordingId).compose(found -> {
      Recording r = found.orElseThrow(() -> ApiException.notFound("recording"));
      return meetings.find(r.meetingId()).compose(meeting -> {
        RecordingAccess access = meeting.map(m -> m.settings().recordingAccess()).orElse(RecordingAccess.OWNERS);
        if (access.allows(null, who.admin() && !who.guest())) {
          return Future.succeededFuture(r);
        }
        if (who.guest()) {
          return Future.failedFuture(ApiException.notFound("recording"));
        }
        return participants.membership(who, r.meetingId())
            .map(m -> access.allows(m.role(), m.admin()))
            .otherwise(false)
            .map(allowed -> {
              if (!allowed) {
                throw ApiException.notFound("recording");
              }
              return r;
            });
      });
    });
  }

  // ---- commands from the outbox -----------------------------------------------------------------

  /** A meeting with {@code autoRecord} started: its one automatic recording starts (once, however often asked). */
  public Future<Void> autoStart(String meetingId) {
    return meetings.find(meetingId).compose(found -> {
      Meeting m = found.orElse(null);
      if (m == null || m.status() != MeetingStatus.IN_PROGRESS || !m.settings().autoRecord()) {
        return Future.succeededFuture();
      }
      return begin(m, null, true).mapEmpty();
    });
  }

  /**
   * Stores a new recording of {@code m} with the event that tells everyone and the command that starts
   * its egress, in one transaction; empty when the meeting has a running one (or, for {@code auto}, had
   * its automatic one).
   */
  private Future<Optional<Recording>> begin(Meeting m, String startedBy, boolean auto) {
    String id = newId();
    Instant now = now();
    Recording r = new Recording(id, m.id(), null, RecordingStatus.STARTING, auto, startedBy,
        config.filePathOf(m.id(), id), null, null, null, null, null, null, null, now, null, null, now, now);
    return audience(pool, m.id()).compose(users -> inTransaction((db, effects) -> repo.insert(db, r).compose(stored -> {
      if (!stored) {
        return Future.succeededFuture(Optional.<Recording>empty());
      }
      effects.add(event(users, Events.MEETING_RECORDING_STARTED, new JsonObject().put("meetingId", m.id())
          .put("recordingId", id).put("status", r.status().wire()).put("startedBy", startedBy).put("auto", auto)
          .put("at", now.toString())));
      effects.add(Effect.command(Addresses.RECORDING_START, new JsonObject().put("recordingId", id)));
      return AuditLog.append(db, new AuditEntry(AuditLog.RECORDING_STARTED, m.id(), startedBy,
          new JsonObject().put("recordingId", id).put("auto", auto), now)).map(Optional.of(r));
    })));
  }

  /**
   * Starts the egress of a recording that is starting. A retry (LiveKit did not answer, the node that
   * asked died) first looks for the egress LiveKit may already run for it and adopts that one. A
   * recording given up on, or whose meeting is over, is not started; LiveKit refusing fails it.
   */
  public Future<Void> startEgress(String recordingId) {
    return repo.find(pool, recordingId).compose(found -> {
      Recording r = found.orElse(null);
      if (r == null || r.status() != RecordingStatus.STARTING || r.egressId() != null) {
        return Future.succeededFuture();
      }
      if (r.stopRequestedAt() != null) {
        return giveUp(r.id(), "stopped before LiveKit started it").mapEmpty();
      }
      return meetings.find(r.meetingId()).compose(meeting -> {
        if (meeting.isEmpty() || meeting.get().status() != MeetingStatus.IN_PROGRESS) {
          return giveUp(r.id(), "the meeting was over before LiveKit started the recording").mapEmpty();
        }
        Meeting m = meeting.get();
        return egressOf(r).compose(running -> running.isPresent()
            ? advance(r.id(), running.get(), true).mapEmpty()
            : rooms.create(m.id(), m.maxParticipants())
                .compose(v -> egress.startRoomComposite(m.id(), r.filePath(), m.settings().voiceOnly()))
                .compose(report -> advance(r.id(), report, true))
                .recover(err -> err instanceof LiveKitRefusal
                    ? giveUp(r.id(), "LiveKit refused to start the recording: " + err.getMessage())
                    : Future.failedFuture(err))
                .mapEmpty());
      });
    });
  }

  /**
   * Makes sure LiveKit no longer records for a recording: its egress is stopped (or found over already)
   * and what LiveKit answers is applied. Fails, to be tried again, while the egress may still be
   * starting without LiveKit knowing it yet.
   */
  public Future<Void> stopEgress(String recordingId) {
    return repo.find(pool, recordingId).compose(found -> {
      if (found.isEmpty()) {
        return Future.succeededFuture();
      }
      Recording r = found.get();
      return egressOf(r).compose(known -> {
        if (known.isEmpty()) {
          // a recording still starting may have its start on the way to LiveKit: look again later
          return r.status() == RecordingStatus.STARTING
              ? Future.failedFuture("the egress of " + r.id() + " is not known to LiveKit yet")
              : Future.succeededFuture();
        }
        EgressReport current = known.get();
        if (current.status() != EgressReport.Status.STARTING && current.status() != EgressReport.Status.ACTIVE) {
          return advance(r.id(), current, false).mapEmpty();
        }
        return egress.stop(current.egressId()).compose(answer -> answer.isPresent()
                ? Future.succeededFuture(answer)
                : egress.list(null, current.egressId(), false).map(list -> list.stream().findFirst()))
            .compose(report -> report.isPresent() ? advance(r.id(), report.get(), false).mapEmpty()
                : Future.<Void>succeededFuture());
      });
    });
  }

  /**
   * The meeting stopped being live (its teardown): each of its running recordings is marked to stop, with
   * the command that tells LiveKit; LiveKit is not called here.
   */
  public Future<Void> stopAll(String meetingId) {
    if (!MeetingIds.plausible(meetingId)) {
      return Future.succeededFuture();
    }
    return repo.running(pool, meetingId).compose(running -> {
      Future<Void> chain = Future.succeededFuture();
      for (Recording r : running) {
        chain = chain.compose(v -> requestStop(r.id(), null, "meeting_ended").mapEmpty());
      }
      return chain;
    });
  }

  /** Records a stop request and queues the command that tells LiveKit; empty when it is not running. */
  private Future<Optional<Recording>> requestStop(String recordingId, String by, String reason) {
    Instant now = now();
    return inTransaction((db, effects) -> repo.requestStop(db, recordingId, by, reason, now).compose(stopped -> {
      if (stopped.isEmpty()) {
        return Future.succeededFuture(stopped);
      }
      Recording r = stopped.get();
      effects.add(Effect.command(Addresses.RECORDING_STOP, new JsonObject().put("recordingId", r.id())));
      return AuditLog.append(db, new AuditEntry(AuditLog.RECORDING_STOPPED, r.meetingId(), by,
          new JsonObject().put("recordingId", r.id()).put("reason", reason), now)).map(stopped);
    }));
  }

  // ---- what LiveKit reports -----------------------------------------------------------------------

  /** A verified egress webhook: the recording it is about moves as it says; egresses not ours are ignored. */
  public Future<Void> reported(EgressReport report) {
    if (!MeetingIds.plausible(report.roomName())) {
      return Future.succeededFuture();
    }
    Future<Optional<Recording>> byEgress = report.egressId().isEmpty() ? Future.succeededFuture(Optional.empty())
        : repo.byEgress(pool, report.egressId());
    return byEgress.compose(found -> found.isPresent() ? Future.succeededFuture(found) : byPath(report))
        .compose(found -> found.isEmpty() ? Future.succeededFuture() : advance(found.get().id(), report, true).mapEmpty());
  }

  /** The recording whose id is in the egress's file paths, in the egress's room. */
  private Future<Optional<Recording>> byPath(EgressReport report) {
    Optional<String> id = recordingIdIn(report);
    if (id.isEmpty()) {
      return Future.succeededFuture(Optional.empty());
    }
    return repo.find(pool, id.get()).map(found -> found.filter(r -> r.meetingId().equals(report.roomName())));
  }

  static Optional<String> recordingIdIn(EgressReport report) {
    for (String path : report.paths()) {
      Matcher m = ID.matcher(path);
      if (m.find()) {
        return Optional.of(m.group());
      }
    }
    return Optional.empty();
  }

  /** What LiveKit says about the egress of {@code r}: by its id, or by the recording id among the room's egresses. */
  private Future<Optional<EgressReport>> egressOf(Recording r) {
    if (r.egressId() != null) {
      return egress.list(null, r.egressId(), false).map(list -> list.stream().findFirst());
    }
    return egress.list(r.meetingId(), null, false).map(list -> list.stream()
        .filter(e -> recordingIdIn(e).filter(r.id()::equals).isPresent())
        .findFirst());
  }

  // ---- the sweep --------------------------------------------------------------------------------

  /**
   * Checks unsettled recordings nobody heard about for {@code recordings.reconcileSeconds} against
   * LiveKit (a lost webhook, a node that died between LiveKit's answer and storing it), and fails those
   * that waited too long for their egress. Returns how many changed.
   */
  public Future<Integer> reconcile(int batch) {
    Instant now = now();
    return repo.claimUnchecked(pool, now.minusSeconds(config.reconcileSeconds()), now, batch).compose(claimed -> {
      Future<Integer> chain = Future.succeededFuture(0);
      for (Recording r : claimed) {
        chain = chain.compose(n -> reconcileOne(r, now).map(changed -> changed ? n + 1 : n)
            .otherwise(err -> {
              LOG.warn("checking recording {} failed: {}", r.id(), err.getMessage());
              return n;
            }));
      }
      return chain;
    });
  }

  private Future<Boolean> reconcileOne(Recording r, Instant now) {
    Duration start = Duration.ofSeconds(config.startTimeoutSeconds());
    Duration processing = Duration.ofMinutes(config.processingTimeoutMinutes());
    return egressOf(r).transform(ar -> {
      if (ar.failed()) {
        // LiveKit cannot tell: only the deadlines decide
        return RecordingProgress.overdue(r, now, start, processing)
            .map(why -> giveUp(r.id(), why).map(Optional::isPresent))
            .orElse(Future.succeededFuture(false));
      }
      Optional<EgressReport> report = ar.result();
      if (report.isEmpty()) {
        if (r.egressId() != null) {
          return giveUp(r.id(), "LiveKit no longer knows egress " + r.egressId()).map(Optional::isPresent);
        }
        return RecordingProgress.overdue(r, now, start, processing)
            .map(why -> giveUp(r.id(), why).map(Optional::isPresent))
            .orElse(Future.succeededFuture(false));
      }
      return advance(r.id(), report.get(), true).compose(after -> {
        boolean changed = after.map(a -> a.status() != r.status() || a.egressId() != null && r.egressId() == null)
            .orElse(false);
        Optional<String> late = after.flatMap(a -> RecordingProgress.overdue(a, now, start, processing));
        return late.isPresent() ? giveUp(r.id(), late.get()).map(g -> changed || g.isPresent())
            : Future.succeededFuture(changed);
      });
    });
  }

  // ---- moving a recording -----------------------------------------------------------------------

  /**
   * Applies {@code report} to a recording in one transaction (the row locked, so concurrent deliveries
   * take turns); when it stops being recorded, everyone is told. With {@code mayStop}, an egress that
   * runs although nobody wants it to is stopped (from the outbox). Returns the recording after.
   */
  private Future<Optional<Recording>> advance(String recordingId, EgressReport report, boolean mayStop) {
    return change(recordingId, r -> RecordingProgress.apply(r, report),
        after -> mayStop && RecordingProgress.stopWanted(after, report));
  }

  /**
   * The recording fails for {@code why}; LiveKit is told to stop whatever egress it may still run for it.
   * Returns the recording when this changed it.
   */
  private Future<Optional<Recording>> giveUp(String recordingId, String why) {
    boolean[] changed = {false};
    return change(recordingId, r -> {
      Optional<RecordingProgress.Change> c = RecordingProgress.fail(r, why);
      changed[0] = c.isPresent();
      return c;
    }, after -> changed[0]).map(after -> changed[0] ? after : Optional.empty());
  }

  private Future<Optional<Recording>> change(String recordingId, Function<Recording, Optional<RecordingProgress.Change>> decide,
      Function<Recording, Boolean> stopAfter) {
    return repo.find(pool, recordingId).compose(found -> {
      if (found.isEmpty()) {
        return Future.succeededFuture(Optional.empty());
      }
      boolean tells = decide.apply(found.get()).map(RecordingProgress.Change::stopped).orElse(false);
      Future<List<String>> told = tells ? audience(pool, found.get().meetingId()) : Future.succeededFuture(null);
      return told.compose(users -> inTransaction((db, effects) -> repo.lock(db, recordingId).compose(locked -> {
        if (locked.isEmpty()) {
          return Future.succeededFuture(Optional.<Recording>empty());
        }
        Recording before = locked.get();
        Optional<RecordingProgress.Change> change = decide.apply(before);
        Future<Recording> after = change.isEmpty() ? Future.succeededFuture(before)
            : repo.update(db, before.with(change.get(), now()));
        return after.compose(a -> {
          if (change.isPresent() && change.get().stopped()) {
            Future<List<String>> audience = users != null ? Future.succeededFuture(users) : audience(db, a.meetingId());
            return audience.map(list -> {
              effects.add(event(list, Events.MEETING_RECORDING_STOPPED, stoppedEvent(a)));
              return a;
            });
          }
          return Future.succeededFuture(a);
        }).map(a -> {
          if (a.status() == RecordingStatus.READY && before.status() != RecordingStatus.READY) {
            effects.add(WebhookEvent.effect(WebhookEvent.RECORDING_READY, ready(a), a.updatedAt()));
          }
          if (stopAfter.apply(a)) {
            effects.add(Effect.command(Addresses.RECORDING_STOP, new JsonObject().put("recordingId", a.id())));
          }
          if (change.isPresent() && before.status() != a.status()) {
            LOG.info("recording {} of {}: {} -> {}", a.id(), a.meetingId(), before.status().wire(), a.status().wire());
          } else if (change.isPresent()) {
            LOG.info("recording {} of {}: egress {}", a.id(), a.meetingId(), a.egressId());
          }
          return Optional.of(a);
        });
      })));
    });
  }

  /** The data of a {@code recording.ready} webhook event. */
  private static JsonObject ready(Recording r) {
    return new JsonObject().put("meetingId", r.meetingId()).put("recordingId", r.id()).put("location", r.location())
        .put("durationSeconds", r.durationMillis() == null ? null : r.durationMillis() / 1000)
        .put("sizeBytes", r.sizeBytes());
  }

  private JsonObject stoppedEvent(Recording r) {
    JsonObject data = new JsonObject().put("meetingId", r.meetingId()).put("recordingId", r.id())
        .put("status", r.status().wire()).put("reason", r.reasonStopped()).put("at", r.updatedAt().toString());
    if (r.stoppedBy() != null) {
      data.put("stoppedBy", r.stoppedBy());
    }
    if (r.error() != null) {
      data.put("error", r.error());
    }
    return data;
  }

  /**
   * Who is told about a meeting's recordings: its attending participants and the guests in its room, read
   * on {@code db} (inside a transaction, its own connection).
   */
  private Future<List<String>> audience(SqlClient db, String meetingId) {
    return participants.attendingIds(db, meetingId).compose(attending -> attendance.present(db, meetingId).map(present -> {
      List<String> out = new ArrayList<>(attending);
      present.stream().filter(Identity::isGuest).forEach(out::add);
      return out;
    }));
  }

  private Effect event(List<String> users, String type, JsonObject data) {
    return Effect.event(events.message(users, type, data).put("durable", true));
  }

  /** Runs {@code work} in a transaction with the effects it adds; they are carried out right after the commit. */
  private <T> Future<T> inTransaction(BiFunction<SqlClient, List<Effect>, Future<T>> work) {
    List<Effect> effects = new ArrayList<>();
    List<Outbox.Stored> stored = new ArrayList<>();
    return pool.<T>withTransaction(db -> work.apply(db, effects).compose(result -> outbox.add(db,
            effects.stream().filter(e -> !isEmptyEvent(e)).toList())
        .map(s -> {
          stored.addAll(s);
          return result;
        })))
        .map(result -> {
          outbox.runNow(stored);
          return result;
        });
  }

  private static boolean isEmptyEvent(Effect e) {
    return Effect.EVENT.equals(e.kind()) && e.payload().getJsonArray("userIds").isEmpty();
  }
}
