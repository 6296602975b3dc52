package io.convene.meeting;

import io.convene.audit.AuditEntry;
import io.convene.audit.AuditLog;
import io.convene.bus.Addresses;
import io.convene.bus.UserEvents;
import io.convene.outbox.Effect;
import io.convene.outbox.WebhookEvent;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * What a change records and tells others: its audit entries, written in its transaction; and, once the
 * transaction has committed, events to users, webhook events, commands to the live room (open it, tear
 * it down, close it in LiveKit, take someone out) and the start of the automatic recording of a meeting
 * with {@code autoRecord}. These are written to the outbox in the same transaction, so a commit never
 * loses them; nothing is recorded or sent when it fails.
 */
final class AfterCommit {
  private final UserEvents events;
  private final Clock clock;
  private final List<Effect> effects = new ArrayList<>();
  private final List<AuditEntry> audit = new ArrayList<>();

  AfterCommit(UserEvents events, Clock clock) {
    this.events = events;
    this.clock = clock;
  }

  void tell(List<String> userIds, String type, JsonObject data) {
    if (!userIds.isEmpty()) {
      effects.add(Effect.event(events.message(userIds, type, data).put("durable", true)));
    }
  }

  /** Records {@code action} on {@code meetingId} by {@code actorId} (null: the server itself) in the audit log. */
  void audit(String action, String meetingId, String actorId, JsonObject details) {
    audit.add(new AuditEntry(action, meetingId, actorId, details, clock.instant()));
  }

  /** A webhook event of {@code type} (one of {@link WebhookEvent}'s types). */
  void webhook(String type, JsonObject data) {
    effects.add(WebhookEvent.effect(type, data, clock.instant()));
  }

  /**
   * Records a status change, tells the attending participants and the webhooks about it, and opens or
   * tears down the live room. {@code asksForRoom} is false when the meeting's LiveKit room was already
   * asked for ahead of its start.
   */
  void transition(MeetingLifecycle.Transition t, List<String> attending, boolean asksForRoom) {
    Meeting m = t.after();
    if (t.told()) {
      tell(attending, t.eventType(), t.eventData());
    }
    String action = switch (m.status()) {
      case IN_PROGRESS -> AuditLog.MEETING_STARTED;
      case ENDED -> AuditLog.MEETING_ENDED;
      default -> t.cause() == MeetingLifecycle.Cause.DELETED ? AuditLog.MEETING_DELETED : AuditLog.MEETING_CANCELLED;
    };
    audit(action, m.id(), t.actorId(), new JsonObject().put("from", t.before().status().wire())
        .put("to", m.status().wire()).put("cause", t.cause().reason()).put("isInstantCall", m.instantCall()));
    if (m.instantCall()) {
      if (t.tearsDown()) {
        webhook(WebhookEvent.CALL_ENDED, callEnded(t));
      }
    } else if (t.told()) {
      webhook(switch (m.status()) {
        case IN_PROGRESS -> WebhookEvent.MEETING_STARTED;
        case ENDED -> WebhookEvent.MEETING_ENDED;
        default -> WebhookEvent.MEETING_CANCELLED;
      }, m.toJson().mergeIn(t.eventData()));
    }
    String id = m.id();
    if (t.opensRoom()) {
      effects.add(LiveRoster.opened(id, attending));
      if (asksForRoom) {
        openRoom(m);
      }
      if (m.settings().autoRecord()) {
        effects.add(Effect.command(Addresses.RECORDING_AUTO_START, new JsonObject().put("meetingId", id)));
      }
    }
    if (t.tearsDown()) {
      effects.add(LiveRoster.closed(id));
      effects.add(Effect.command(Addresses.MEETING_TEARDOWN, new JsonObject().put("meetingId", id)
          .put("status", m.status().wire()).put("reason", t.cause().reason())));
      effects.add(Effect.command(Addresses.ROOM_CLOSE, new JsonObject().put("meetingId", id)));
    }
  }

  /** Asks for the meeting's LiveKit room (created, or updated to the meeting's limit). */
  void openRoom(Meeting m) {
    openRoom(m.id(), m.maxParticipants());
  }

  void openRoom(String meetingId, Integer maxParticipants) {
    effects.add(Effect.command(Addresses.ROOM_OPEN,
        new JsonObject().put("meetingId", meetingId).put("maxParticipants", maxParticipants)));
  }

  private static JsonObject callEnded(MeetingLifecycle.Transition t) {
    Meeting m = t.after();
    JsonObject data = new JsonObject().put("callId", m.id()).put("meetingId", m.id()).put("title", m.title())
        .put("callerId", m.createdBy()).put("reason", t.cause().reason()).put("endedAt", t.at().toString())
        .put("endedBy", t.actorId());
    if (m.startedAt() != null) {
      data.put("startedAt", m.startedAt().toString())
          .put("durationSeconds", Math.max(0, t.at().getEpochSecond() - m.startedAt().getEpochSecond()));
    }
    return data;
  }

  /** Any other effect of the change (a notification to store, ...). */
  void effect(Effect effect) {
    effects.add(effect);
  }

  void command(String address, JsonObject body) {
    effects.add(Effect.command(address, body));
  }

  List<Effect> effects() {
    return effects;
  }

  List<AuditEntry> auditEntries() {
    return audit;
  }
}
