package io.convene.interaction;

import io.convene.bus.UserEvents;
import io.convene.meeting.Permission;
import io.convene.outbox.Effect;
import io.convene.outbox.Outbox;
import io.convene.protocol.ApiException;
import io.convene.protocol.Events;
import io.convene.protocol.Identity;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;

/**
 * Meeting chat. A message is stored, with its {@code chat:message} event in the outbox, in one
 * transaction before it is acknowledged; the event then reaches every device of the attending
 * participants on every node (the gateways drop a second delivery of the same event, so a redelivery
 * after a crash is not shown twice). A send retried with the same {@code clientMsgId} stores nothing
 * new and is answered with the ids of the first.
 */
public final class Chat {
  static final String WHAT = "chat";
  public static final int MAX_TEXT = 4000;
  public static final int MAX_PAGE = 200;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Pool pool;
  private final ChatRepository repo = new ChatRepository();
  private final Outbox outbox;
  private final Audience audience;
  private final RateLimiter limiter;
  private final UserEvents events;
  private final Clock clock;

  Chat(Pool pool, Outbox outbox, Audience audience, RateLimiter limiter, UserEvents events, Clock clock) {
    this.pool = pool;
    this.outbox = outbox;
    this.audience = audience;
    this.limiter = limiter;
    this.events = events;
    this.clock = clock;
  }

  /** What a send stored (or found, for a retry). */
  public record Sent(JsonObject ack, boolean created) {}

  /** Sends a message; the device {@code exceptConnection} (the sender's, on the socket) is not sent the event. */
  public Future<Sent> send(Identity who, String meetingId, String text, String clientMsgId, String exceptConnection) {
    return audience.member(who, meetingId, WHAT)
        .compose(m -> repo.byClientId(pool, meetingId, who.userId(), clientMsgId).map(found -> {
          if (found.isEmpty()) {
            Audience.requireInProgress(m, WHAT);
          }
          return found;
        }))
        .compose(found -> found.isPresent()
            ? Future.succeededFuture(new Sent(found.get().ack(), false))
            : limiter.take(who.userId())
                .compose(v -> audience.attending(meetingId))
                .compose(attending -> store(who, meetingId, text, clientMsgId, attending, exceptConnection))
                .recover(err -> isDuplicate(err)
                    ? repo.byClientId(pool, meetingId, who.userId(), clientMsgId).map(again -> new Sent(
                        again.orElseThrow(() -> ApiException.invalidState("the message could not be stored; send it again"))
                            .ack(), false))
                    : Future.failedFuture(err)));
  }

  private Future<Sent> store(Identity who, String meetingId, String text, String clientMsgId, List<String> attending,
      String exceptConnection) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    String name = who.displayName() == null ? who.userId() : who.displayName();
    return Committed.run(pool, outbox, db -> repo.nextSeq(db, meetingId).compose(seq -> {
      ChatMessage message = new ChatMessage(meetingId, seq, newId("msg_"), who.userId(), name, text, clientMsgId,
          now, null, null);
      JsonObject event = events.message(attending, Events.CHAT_MESSAGE, message.toJson()).put("durable", true);
      if (exceptConnection != null) {
        event.put("except", exceptConnection);
      }
      return repo.insert(db, message).map(v -> new Committed<>(new Sent(message.ack(), true), List.of(Effect.event(event))));
    }));
  }

  /** The author, an owner or a manager deletes a message: its text is gone, everyone attending is told. */
  public Future<JsonObject> delete(Identity who, String meetingId, String messageId) {
    return audience.member(who, meetingId, WHAT).compose(m -> repo.byId(pool, meetingId, messageId).compose(found -> {
      ChatMessage message = found.orElseThrow(() -> ApiException.notFound("message"));
      if (!message.userId().equals(who.userId())) {
        m.require(Permission.MODERATE_INTERACTIONS);
      }
      JsonObject data = new JsonObject().put("meetingId", meetingId).put("messageId", messageId);
      if (message.deleted()) {
        return Future.succeededFuture(data.put("by", message.deletedBy()).put("deleted", false));
      }
      return audience.attending(meetingId).compose(attending -> Committed.run(pool, outbox, db ->
          repo.delete(db, meetingId, messageId, who.userId(), clock.instant()).map(deleted -> {
            JsonObject event = new JsonObject().put("meetingId", meetingId).put("messageId", messageId)
                .put("by", who.userId());
            List<Effect> effects = deleted ? List.of(Effect.event(events.message(attending, Events.CHAT_DELETED, event)
                .put("durable", true))) : List.of();
            return new Committed<>(event.copy().put("deleted", deleted), effects);
          })));
    }));
  }

  /** A page of history after {@code afterSeq}, for participants (also once the meeting is over). */
  public Future<JsonObject> history(Identity who, String meetingId, long afterSeq, int limit) {
    return audience.member(who, meetingId, WHAT)
        .compose(m -> repo.page(pool, meetingId, afterSeq, limit + 1))
        .map(rows -> {
          boolean more = rows.size() > limit;
          List<ChatMessage> page = more ? rows.subList(0, limit) : rows;
          JsonArray items = new JsonArray();
          page.forEach(r -> items.add(r.toJson()));
          JsonObject out = new JsonObject().put("items", items);
          if (more) {
            out.put("nextAfter", page.get(page.size() - 1).seq());
          }
          return out;
        });
  }

  static boolean isDuplicate(Throwable err) {
    return err instanceof PgException pg && "23505".equals(pg.getSqlState());
  }

  static String newId(String prefix) {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
