package io.convene.meeting;

import io.convene.protocol.Identity;
import io.convene.web.AuthHandler;
import io.convene.web.Bodies;
import io.convene.meeting.Commands.MeetingPatch;
import io.convene.meeting.Commands.NewMeeting;
import io.convene.meeting.Commands.Scope;
import io.convene.meeting.Commands.SettingsPatch;
import io.convene.protocol.ApiException;
import io.convene.protocol.FieldError;
import io.convene.protocol.Input;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.function.Function;

/**
 * The meetings REST surface: parses and validates requests, calls {@link MeetingService} or {@link
 * ParticipantService}, answers.
 */
public final class MeetingRoutes {
  private static final int DEFAULT_PAGE = 20;
  private static final int MAX_PAGE = 100;
  /** The fields of a meeting's {@code settings} object. */
  private static final String[] SETTINGS = {"voiceOnly", "muteOnJoin", "waitingRoom", "autoRecord", "recordingAccess"};

  private final MeetingService service;
  private final ParticipantService participants;

  public MeetingRoutes(MeetingService service, ParticipantService participants) {
    this.service = service;
    this.participants = participants;
  }

  public void mount(Router api) {
    api.post("/meetings").handler(rc -> Bodies.answer(rc, 201, service.create(who(rc), newMeeting(rc)).map(MeetingService.Outcome::toJson)));
    api.get("/meetings").handler(rc -> Bodies.answer(rc, 200, service.list(who(rc), query(rc)).map(p -> page(p.items(), p.nextCursor(), j -> j))));
    api.get("/meetings/roles").handler(rc -> Bodies.json(rc, 200, Permissions.asJson()));
    api.delete("/meetings/bulk").handler(rc -> Bodies.answer(rc, 200, service.bulkDelete(who(rc), bulkIds(rc)).map(MeetingService.BulkResult::toJson)));
    api.get("/meetings/:id").handler(rc -> Bodies.answer(rc, 200, service.get(who(rc), id(rc)).map(MeetingView::toJson)));
    api.patch("/meetings/:id").handler(rc -> Bodies.answer(rc, 200, service.update(who(rc), id(rc), patch(rc), scope(rc)).map(MeetingService.Outcome::toJson)));
    api.delete("/meetings/:id").handler(rc -> Bodies.answer(rc, 204, service.cancel(who(rc), id(rc), scope(rc))));
    api.post("/meetings/:id/start").handler(rc -> Bodies.answer(rc, 200, service.start(who(rc), id(rc)).map(MeetingView::toJson)));
    api.post("/meetings/:id/end").handler(rc -> Bodies.answer(rc, 200, service.end(who(rc), id(rc)).map(MeetingView::toJson)));
    api.patch("/meetings/:id/settings").handler(rc -> Bodies.answer(rc, 200, service.updateSettings(who(rc), id(rc), settingsOnly(rc)).map(MeetingService.Outcome::toJson)));
    api.get("/meetings/:id/participants").handler(this::listParticipants);
    api.post("/meetings/:id/participants").handler(this::invite);
    api.patch("/meetings/:id/participants/:userId").handler(this::respond);
    api.delete("/meetings/:id/participants/:userId").handler(this::remove);
    api.post("/meetings/:id/roles").handler(this::assignRole);
  }

  private static Identity who(RoutingContext rc) {
    return AuthHandler.identity(rc);
  }

  private static String id(RoutingContext rc) {
    return rc.pathParam("id");
  }

  private static <T> JsonObject page(List<T> items, String nextCursor, Function<T, ?> toJson) {
    JsonArray list = new JsonArray();
    items.forEach(i -> list.add(toJson.apply(i)));
    JsonObject json = new JsonObject().put("items", list);
    if (nextCursor != null) {
      json.put("nextCursor", nextCursor);
    }
    return json;
  }

  // ---- request parsing ----------------------------------------------------------------------

  private NewMeeting newMeeting(RoutingContext rc) {
    Input in = Input.of(Bodies.object(rc)).allowOnly("title", "description", "startTime", "endTime",
        "participantIds", "maxParticipants", "allowExternal", "settings", "recurrence");
    var limits = service.limits();
    String title = in.string("title", true, 1, 200);
    String description = in.string("description", false, 0, 5000);
    var start = in.instant("startTime", true);
    var end = in.instant("endTime", true);
    List<String> participants = in.ids("participantIds", false, limits.maxInviteesPerRequest());
    Integer max = in.integer("maxParticipants", false, 2, limits.maxParticipantsLimit());
    Boolean allowExternal = in.bool("allowExternal");
    Settings settings = settings(in.object("settings"));
    Input rec = in.object("recurrence");
    Recurrence recurrence = rec == null ? null : Recurrence.read(rec, limits.maxRecurrenceInstances());
    if (recurrence != null && recurrence.until() != null && start != null && recurrence.until().isBefore(start)) {
      in.error("recurrence.until", "range", "must not be before startTime");
    }
    in.check();
    return new NewMeeting(title, description == null || description.isEmpty() ? null : description, start, end,
        participants, max, Boolean.TRUE.equals(allowExternal), settings, recurrence);
  }

  private static Settings settings(Input in) {
    if (in == null) {
      return Settings.DEFAULT;
    }
    in.allowOnly(SETTINGS);
    RecordingAccess access = recordingAccess(in);
    return new Settings(
        Boolean.TRUE.equals(in.bool("voiceOnly")),
        Boolean.TRUE.equals(in.bool("muteOnJoin")),
        Boolean.TRUE.equals(in.bool("waitingRoom")),
        Boolean.TRUE.equals(in.bool("autoRecord")),
        access == null ? RecordingAccess.PARTICIPANTS : access);
  }

  /** The {@code recordingAccess} setting, or null when absent (an error when it names no value). */
  private static RecordingAccess recordingAccess(Input in) {
    String wire = in.string("recordingAccess", false, 1, 16);
    RecordingAccess access = wire == null ? null : RecordingAccess.fromWire(wire);
    if (wire != null && access == null) {
      in.error("recordingAccess", "invalid", "must be owners, participants or public");
    }
    return access;
  }

  private MeetingPatch patch(RoutingContext rc) {
    Input in = Input.of(Bodies.object(rc)).allowOnly("title", "description", "startTime", "endTime",
        "maxParticipants", "allowExternal", "settings");
    String title = in.string("title", false, 1, 200);
    String description = in.string("description", false, 0, 5000);
    boolean clearDescription = in.has("description") && (in.raw().getValue("description") == null
        || "".equals(description));
    var start = in.instant("startTime", false);
    var end = in.instant("endTime", false);
    Input s = in.object("settings");
    SettingsPatch settings = settingsPatch(in, s);
    if (in.raw().isEmpty()) {
      in.error("body", "empty", "name at least one field to change");
    }
    in.check();
    return new MeetingPatch(title, clearDescription ? null : description, clearDescription, start, end, settings);
  }

  private SettingsPatch settingsOnly(RoutingContext rc) {
    Input in = Input.of(Bodies.object(rc)).allowOnly("voiceOnly", "muteOnJoin", "waitingRoom", "autoRecord",
        "recordingAccess", "allowExternal", "maxParticipants");
    SettingsPatch patch = settingsPatch(in, in);
    if (in.raw().isEmpty()) {
      in.error("body", "empty", "name at least one setting to change");
    }
    in.check();
    return patch;
  }

  /** Settings flags from {@code flags}; limits from {@code top}. The two are the same object on /settings. */
  private SettingsPatch settingsPatch(Input top, Input flags) {
    if (flags != null && flags != top) {
      flags.allowOnly(SETTINGS);
    }
    Integer max = top.integer("maxParticipants", false, 2, service.limits().maxParticipantsLimit());
    boolean clearMax = top.has("maxParticipants") && top.raw().getValue("maxParticipants") == null;
    return new SettingsPatch(
        flags == null ? null : flags.bool("voiceOnly"),
        flags == null ? null : flags.bool("muteOnJoin"),
        flags == null ? null : flags.bool("waitingRoom"),
        flags == null ? null : flags.bool("autoRecord"),
        flags == null ? null : recordingAccess(flags),
        top.bool("allowExternal"),
        max,
        clearMax);
  }

  private static Scope scope(RoutingContext rc) {
    String scope = rc.queryParams().get("scope");
    if (scope == null || scope.equals("instance")) {
      return Scope.INSTANCE;
    }
    if (scope.equals("series")) {
      return Scope.SERIES;
    }
    throw ApiException.validation(List.of(new FieldError("scope", "invalid", "must be instance or series")));
  }

  private MeetingQuery query(RoutingContext rc) {
    var params = rc.queryParams();
    Input in = Input.of(new JsonObject());
    MeetingQuery.Filter filter = MeetingQuery.Filter.UPCOMING;
    String f = params.get("filter");
    if (f != null) {
      try {
        filter = MeetingQuery.Filter.valueOf(f.toUpperCase());
      } catch (IllegalArgumentException e) {
        in.error("filter", "invalid", "must be upcoming, past, my or created");
      }
    }
    MeetingStatus status = null;
    if (params.get("status") != null) {
      status = MeetingStatus.fromWire(params.get("status"));
      if (status == null) {
        in.error("status", "invalid", "must be scheduled, in_progress, ended or cancelled");
      }
    }
    Boolean calls = null;
    String type = params.get("type");
    if (type != null) {
      switch (type) {
        case "meeting" -> calls = false;
        case "call" -> calls = true;
        default -> in.error("type", "invalid", "must be meeting or call");
      }
    }
    String q = params.get("q");
    if (q != null && q.length() > 200) {
      in.error("q", "too_long", "must have at most 200 characters");
    }
    int limit = limit(rc, in);
    in.check();
    String cursor = params.get("cursor");
    return new MeetingQuery(filter, status, calls, q == null || q.isBlank() ? null : q.strip(),
        cursor == null ? null : MeetingQuery.Cursor.decode(cursor), limit);
  }

  private static int limit(RoutingContext rc, Input errors) {
    String raw = rc.queryParams().get("limit");
    if (raw == null) {
      return DEFAULT_PAGE;
    }
    try {
      int limit = Integer.parseInt(raw);
      if (limit >= 1 && limit <= MAX_PAGE) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    errors.error("limit", "range", "must be a whole number between 1 and " + MAX_PAGE);
    return DEFAULT_PAGE;
  }

  private List<String> bulkIds(RoutingContext rc) {
    Input in = Input.of(Bodies.object(rc)).allowOnly("meetingIds");
    List<String> ids = in.ids("meetingIds", true, MeetingService.MAX_BULK);
    in.check();
    return ids;
  }

  private void listParticipants(RoutingContext rc) {
    Input errors = Input.of(new JsonObject());
    int limit = limit(rc, errors);
    errors.check();
    Bodies.answer(rc, 200, participants.participants(who(rc), id(rc), rc.queryParams().get("cursor"), limit)
        .map(p -> page(p.items(), p.nextCursor(), Participant::toJson)));
  }

  private void invite(RoutingContext rc) {
    Input in = Input.of(Bodies.object(rc)).allowOnly("userIds", "role");
    List<String> userIds = in.ids("userIds", true, service.limits().maxInviteesPerRequest());
    String roleName = in.string("role", false, 1, 16);
    Role role = roleName == null ? Role.MEMBER : Role.fromWire(roleName);
    if (roleName != null && (role == null || role == Role.OWNER || role == Role.GUEST)) {
      in.error("role", "invalid", "must be member or manager");
    }
    in.check();
    Bodies.answer(rc, 200, participants.invite(who(rc), id(rc), userIds, role).map(ParticipantService.InviteResult::toJson));
  }

  private void respond(RoutingContext rc) {
    Input in = Input.of(Bodies.object(rc)).allowOnly("status");
    String status = in.string("status", true, 1, 16);
    ParticipantStatus answer = status == null ? null : ParticipantStatus.fromWire(status);
    if (status != null && answer != ParticipantStatus.ACCEPTED && answer != ParticipantStatus.DECLINED) {
      in.error("status", "invalid", "must be accepted or declined");
    }
    in.check();
    String userId = "me".equals(rc.pathParam("userId")) ? who(rc).userId() : rc.pathParam("userId");
    Bodies.answer(rc, 200, participants.respond(who(rc), id(rc), userId, answer).map(Participant::toJson));
  }

  private void remove(RoutingContext rc) {
    String ban = rc.queryParams().get("ban");
    if (ban != null && !ban.equals("true") && !ban.equals("false")) {
      throw ApiException.validation(List.of(new FieldError("ban", "invalid", "must be true or false")));
    }
    Bodies.answer(rc, 204, participants.removeParticipant(who(rc), id(rc), rc.pathParam("userId"), "true".equals(ban)));
  }

  private void assignRole(RoutingContext rc) {
    Input in = Input.of(Bodies.object(rc)).allowOnly("userId", "role");
    String userId = in.string("userId", true, 1, Input.MAX_ID_LENGTH);
    String roleName = in.string("role", true, 1, 16);
    Role role = roleName == null ? null : Role.fromWire(roleName);
    if (roleName != null && (role == null || role == Role.GUEST)) {
      in.error("role", "invalid", "must be owner, manager or member");
    }
    in.check();
    Bodies.answer(rc, 200, participants.assignRole(who(rc), id(rc), userId, role).map(list -> {
      JsonArray changed = new JsonArray();
      list.forEach(p -> changed.add(p.toJson()));
      return new JsonObject().put("participants", changed);
    }));
  }
}
