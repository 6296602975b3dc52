package io.convene.room;

import io.convene.livekit.EgressReport;
import io.convene.livekit.WebhookVerifier;
import io.convene.protocol.ApiException;
import io.convene.protocol.ErrorCode;
import io.convene.meeting.MeetingIds;
import io.convene.recording.Recordings;
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
 * it, and tells the room service what happened (the recordings, for egress events). Each event id is
 * handled once, at least once: it is marked handled only after its handling succeeded, so a delivery
 * that failed here (the database was away: 503) is handled when LiveKit delivers it again; the same event arriving twice at once is
 * handled by one delivery (the other gets 503 and comes back). What needs LiveKit to answer and it does
 * not is queued in the outbox (a reconcile later), never turned into a 5xx loop.
 */
public final class WebhookIntake {
  public static final String PATH = "/api/livekit/webhook";
  private static final Logger LOG = LoggerFactory.getLogger(WebhookIntake.class);
  private static final long SEEN_SECONDS = 24 * 3600;
  private static final long CLAIM_SECONDS = 60;

  private final WebhookVerifier verifier;
  private final WebhookReceiver parser;
  private final Redis redis;
  private final String seenPrefix;
  private final String claimPrefix;
  private final RoomService room;
  private final Recordings recordings;

  public WebhookIntake(WebhookVerifier verifier, WebhookReceiver parser, Redis redis, String keyPrefix, RoomService room,
      Recordings recordings) {
    this.verifier = verifier;
    this.parser = parser;
    this.redis = redis;
    this.seenPrefix = keyPrefix + "livekit:event:";
    this.claimPrefix = keyPrefix + "livekit:handling:";
    this.room = room;
    this.recordings = recordings;
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
    String id = event.getId();
    if (id == null || id.isEmpty()) {
      dispatch(event).onSuccess(v -> rc.response().setStatusCode(200).end()).onFailure(rc::fail);
      return;
    }
    handled(id).compose(handled -> {
      if (handled) {
        return Future.succeededFuture();
      }
      return claim(id).compose(claimed -> {
        if (!claimed) {
          return Future.failedFuture(new ApiException(ErrorCode.UNAVAILABLE,
              "this event is being handled by another delivery; send it again later"));
        }
        return dispatch(event)
            .compose(v -> markHandled(id))
            .eventually(() -> release(id));
      });
    }).onSuccess(v -> rc.response().setStatusCode(200).end()).onFailure(rc::fail);
  }

  private Future<Boolean> handled(String id) {
    return redis.send(Request.cmd(Command.EXISTS).arg(seenPrefix + id)).map(r -> r.toInteger() == 1);
  }

  /** One delivery of an event id at a time; the claim lapses if the node handling it dies. */
  private Future<Boolean> claim(String id) {
    return redis.send(Request.cmd(Command.SET).arg(claimPrefix + id).arg(1).arg("NX").arg("EX").arg(CLAIM_SECONDS))
        .map(r -> r != null);
  }

  private Future<Void> markHandled(String id) {
    return redis.send(Request.cmd(Command.SET).arg(seenPrefix + id).arg(1).arg("EX").arg(SEEN_SECONDS)).mapEmpty();
  }

  private Future<Void> release(String id) {
    return redis.send(Request.cmd(Command.DEL).arg(claimPrefix + id)).<Void>mapEmpty().otherwiseEmpty();
  }

  private Future<Void> dispatch(WebhookEvent event) {
    if (event.getEvent().startsWith("egress_")) {
      EgressReport report = event.hasEgressInfo() ? EgressReport.from(event.getEgressInfo()) : null;
      return report == null ? Future.succeededFuture() : recordings.reported(report);
    }
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
