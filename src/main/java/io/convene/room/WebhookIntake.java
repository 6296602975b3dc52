package io.convene.room;

import io.convene.livekit.WebhookVerifier;
import io.convene.protocol.ApiException;
import io.convene.meeting.MeetingIds;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.livekit.server.WebhookReceiver;
import java.nio.charset.StandardCharsets;
import livekit.LivekitWebhook.WebhookEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/livekit/webhook}: verifies the raw body against LiveKit's signature before parsing
 * it, processes each event id once (LiveKit may repeat, drop or reorder deliveries), and tells the room
 * service what happened.
 */
public final class WebhookIntake {
  public static final String PATH = "/api/livekit/webhook";
  private static final Logger LOG = LoggerFactory.getLogger(WebhookIntake.class);
  private static final long SEEN_SECONDS = 24 * 3600;

  private final WebhookVerifier verifier;
  private final WebhookReceiver parser;
  private final Redis redis;
  private final String seenPrefix;
  private final RoomService room;

  public WebhookIntake(WebhookVerifier verifier, WebhookReceiver parser, Redis redis, String keyPrefix, RoomService room) {
    this.verifier = verifier;
    this.parser = parser;
    this.redis = redis;
    this.seenPrefix = keyPrefix + "livekit:event:";
    this.room = room;
  }

  public void handle(RoutingContext rc) {
    Buffer body = rc.body().buffer();
    byte[] raw = body == null ? new byte[0] : body.getBytes();
    verifier.verify(raw, rc.request().getHeader("Authorization"));
    WebhookEvent event;
    try {
      event = parser.receive(new String(raw, StandardCharsets.UTF_8), null, true);
    } catch (Exception e) {
      throw ApiException.badRequest("webhook body is not a LiveKit event");
    }
    firstTime(event.getId()).compose(first -> first ? dispatch(event) : Future.succeededFuture())
        .onSuccess(v -> rc.response().setStatusCode(200).end())
        .onFailure(rc::fail);
  }

  /** Whether this event id is new; an event without an id is always processed. */
  private Future<Boolean> firstTime(String id) {
    if (id == null || id.isEmpty()) {
      return Future.succeededFuture(true);
    }
    return redis.send(Request.cmd(Command.SET).arg(seenPrefix + id).arg(1).arg("NX").arg("EX")
        .arg(SEEN_SECONDS)).map(r -> r != null);
  }

  private Future<Void> dispatch(WebhookEvent event) {
    String meetingId = event.hasRoom() ? event.getRoom().getName() : "";
    if (!MeetingIds.plausible(meetingId)) {
      LOG.debug("ignoring LiveKit event {} for room '{}'", event.getEvent(), meetingId);
      return Future.succeededFuture();
    }
    String identity = event.hasParticipant() ? event.getParticipant().getIdentity() : "";
    return switch (event.getEvent()) {
      case "participant_joined" -> room.reportedJoined(meetingId, identity);
      case "participant_left", "participant_connection_aborted" -> room.reportedLeft(meetingId, identity);
      case "room_finished" -> room.roomFinished(meetingId);
      case "room_started" -> room.roomStarted(meetingId);
      default -> Future.succeededFuture();
    };
  }
}
