package io.convene.outbox;

import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * An event for outbound webhooks, as the change that caused it writes it: stored in the outbox in the
 * change's own transaction ({@link #effect}), and fanned out to the subscribed webhooks once committed
 * by the webhook area, which registers the handler of {@link #KIND}. Areas below the webhook area
 * emit events through this class only, so none of them depends on it.
 */
public record WebhookEvent(String id, String type, Instant createdAt, JsonObject data) {
  /** Outbox kind: an event to fan out to the webhooks subscribed to its type. */
  public static final String KIND = "webhook.event";

  public static final String MEETING_CREATED = "meeting.created";
  public static final String MEETING_UPDATED = "meeting.updated";
  public static final String MEETING_CANCELLED = "meeting.cancelled";
  public static final String MEETING_STARTED = "meeting.started";
  public static final String MEETING_ENDED = "meeting.ended";
  public static final String PARTICIPANT_INVITED = "participant.invited";
  public static final String PARTICIPANT_JOINED = "participant.joined";
  public static final String PARTICIPANT_LEFT = "participant.left";
  public static final String CALL_STARTED = "call.started";
  public static final String CALL_ANSWERED = "call.answered";
  public static final String CALL_MISSED = "call.missed";
  public static final String CALL_ENDED = "call.ended";
  public static final String GUEST_WAITING = "guest.waiting";
  public static final String GUEST_ADMITTED = "guest.admitted";
  public static final String GUEST_DECLINED = "guest.declined";
  /** A recording is ready: emitted by the recordings area through {@link #effect}. */
  public static final String RECORDING_READY = "recording.ready";
  public static final String WEBHOOK_TEST = "webhook.test";

  /** Every event type a webhook may subscribe to, in catalogue order ({@code "*"} means all of them). */
  public static final List<String> TYPES = List.of(MEETING_CREATED, MEETING_UPDATED, MEETING_CANCELLED,
      MEETING_STARTED, MEETING_ENDED, PARTICIPANT_INVITED, PARTICIPANT_JOINED, PARTICIPANT_LEFT, CALL_STARTED,
      CALL_ANSWERED, CALL_MISSED, CALL_ENDED, GUEST_WAITING, GUEST_ADMITTED, GUEST_DECLINED, RECORDING_READY,
      WEBHOOK_TEST);
  public static final String ALL = "*";

  private static final SecureRandom RANDOM = new SecureRandom();

  /** A new event of {@code type} that happened {@code at}, with a fresh id ({@code evt_} + 128 random bits). */
  public static WebhookEvent of(String type, JsonObject data, Instant at) {
    if (!TYPES.contains(type)) {
      throw new IllegalArgumentException("unknown webhook event type " + type);
    }
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return new WebhookEvent("evt_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes), type,
        at.truncatedTo(ChronoUnit.MILLIS), data);
  }

  /** The outbox effect of a new event: write it in the transaction of the change it reports. */
  public static Effect effect(String type, JsonObject data, Instant at) {
    return of(type, data, at).toEffect();
  }

  public Effect toEffect() {
    return new Effect(KIND, body());
  }

  /** The delivery body: {@code {"id","type","createdAt","data"}}. */
  public JsonObject body() {
    return new JsonObject().put("id", id).put("type", type).put("createdAt", createdAt.toString()).put("data", data);
  }

  /** The event an outbox payload holds; empty when it is not one. */
  public static Optional<WebhookEvent> fromBody(JsonObject body) {
    try {
      String id = body.getString("id");
      String type = body.getString("type");
      Instant at = Instant.parse(body.getString("createdAt"));
      JsonObject data = body.getJsonObject("data", new JsonObject());
      return id == null || type == null ? Optional.empty() : Optional.of(new WebhookEvent(id, type, at, data));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}
