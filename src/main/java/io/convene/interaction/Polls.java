package io.convene.interaction;

import io.convene.bus.UserEvents;
import io.convene.meeting.Permission;
import io.convene.outbox.Effect;
import io.convene.outbox.Outbox;
import io.convene.protocol.ApiException;
import io.convene.protocol.ErrorCode;
import io.convene.protocol.Events;
import io.convene.protocol.FieldError;
import io.convene.protocol.Identity;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls: opened and closed by owners and managers, voted in once per user (one option, or several when
 * {@code multiple}). A vote adds to per-option counts in the same transaction that records that the
 * voter voted, keyed so a second vote (another device at the same moment, a retry) finds the key taken
 * and is refused. In an anonymous poll the voter key is an HMAC of the user id under the poll's own salt,
 * and the choice is not stored with it: nothing in the database links a person to an option, so no
 * route can reveal it. Results go out as aggregates through {@link ResultsPacer}.
 */
public final class Polls {
  private static final Logger LOG = LoggerFactory.getLogger(Polls.class);
  static final String WHAT = "polls";
  public static final int MAX_OPTIONS = 10;
  public static final int MAX_LIST = 200;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Vertx vertx;
  private final Pool pool;
  private final PollRepository repo = new PollRepository();
  private final Outbox outbox;
  private final Audience audience;
  private final UserEvents events;
  private final ResultsPacer pacer;
  private final Clock clock;

  Polls(Vertx vertx, Pool pool, Outbox outbox, Audience audience, UserEvents events, Duration resultsInterval,
      Clock clock) {
    this.vertx = vertx;
    this.pool = pool;
    this.outbox = outbox;
    this.audience = audience;
    this.events = events;
    this.pacer = new ResultsPacer(resultsInterval);
    this.clock = clock;
  }

  /** What a new poll asks. */
  public record NewPoll(String question, List<String> options, boolean anonymous, boolean multiple) {}

  /** An owner or manager opens a poll in an active meeting; those attending get {@code poll:created}. */
  public Future<JsonObject> create(Identity who, String meetingId, NewPoll cmd) {
    return audience.member(who, meetingId, WHAT).compose(m -> {
      m.require(Permission.RUN_POLLS);
      if (!m.meeting().status().active()) {
        throw ApiException.invalidState("polls open in a scheduled or running meeting; it is "
            + m.meeting().status().wire());
      }
      List<Poll.Option> options = new ArrayList<>();
      for (int i = 0; i < cmd.options().size(); i++) {
        options.add(new Poll.Option(i + 1, cmd.options().get(i), 0));
      }
      byte[] salt = new byte[32];
      RANDOM.nextBytes(salt);
      Poll poll = new Poll(Chat.newId("poll_"), meetingId, cmd.question(), cmd.anonymous(), cmd.multiple(), Poll.OPEN,
          0, salt, who.userId(), clock.instant().truncatedTo(ChronoUnit.MICROS), null, null, options);
      return audience.attending(meetingId).compose(attending -> Committed.run(pool, outbox, db -> repo.insert(db, poll)
          .map(v -> new Committed<>(poll.toJson(), List.of(Effect.event(events.message(attending, Events.POLL_CREATED,
              poll.toJson()).put("durable", true)))))));
    });
  }

  /** The caller votes; refused with {@code conflict} when they voted already (from any device). */
  public Future<JsonObject> vote(Identity who, String meetingId, String pollId, List<Integer> optionIds) {
    return audience.liveMember(who, meetingId, WHAT)
        .compose(m -> repo.find(pool, meetingId, pollId))
        .compose(found -> {
          Poll poll = found.orElseThrow(() -> ApiException.notFound("poll"));
          if (!poll.open()) {
            throw ApiException.invalidState("the poll is closed");
          }
          if (!poll.multiple() && optionIds.size() > 1) {
            throw ApiException.validation(List.of(new FieldError("optionIds", "too_many",
                "this poll takes exactly one option")));
          }
          for (int i = 0; i < optionIds.size(); i++) {
            if (!poll.hasOption(optionIds.get(i))) {
              throw ApiException.validation(List.of(new FieldError("optionIds[" + i + "]", "unknown",
                  "is not an option of this poll")));
            }
          }
          String voter = voterKey(poll, who.userId());
          Integer[] stored = poll.anonymous() ? null : optionIds.toArray(Integer[]::new);
          return pool.withTransaction(db -> repo.vote(db, pollId, voter, stored, optionIds, clock.instant()))
              .map(counted -> {
                if (!counted) {
                  throw new ApiException(ErrorCode.CONFLICT, "you have already voted in this poll (one vote per user)");
                }
                counted(meetingId, pollId);
                return new JsonObject().put("meetingId", meetingId).put("pollId", pollId)
                    .put("optionIds", new JsonArray(optionIds));
              });
        });
  }

  /** An owner or manager closes a poll; those attending get {@code poll:closed} with the final results. */
  public Future<JsonObject> close(Identity who, String meetingId, String pollId) {
    return audience.member(who, meetingId, WHAT)
        .map(m -> m.require(Permission.RUN_POLLS))
        .compose(m -> audience.attending(meetingId))
        .compose(attending -> Committed.run(pool, outbox, db -> repo.find(db, meetingId, pollId).compose(found -> {
          Poll before = found.orElseThrow(() -> ApiException.notFound("poll"));
          if (!before.open()) {
            throw ApiException.invalidState("the poll is closed already");
          }
          return repo.close(db, pollId, who.userId(), clock.instant().truncatedTo(ChronoUnit.MICROS))
              .compose(closed -> {
                if (!closed) {
                  throw ApiException.invalidState("the poll is closed already");
                }
                return repo.find(db, meetingId, pollId);
              })
              .compose(after -> {
                Poll poll = after.orElseThrow();
                JsonObject data = poll.results().put("closedBy", who.userId()).put("closedAt", poll.closedAt().toString());
                return Future.succeededFuture(new Committed<>(poll, List.of(Effect.event(
                    events.message(attending, Events.POLL_CLOSED, data).put("durable", true)))));
              });
        })))
        .map(poll -> {
          pacer.forget(pollId);
          return poll.toJson();
        });
  }

  /** The polls of a meeting with their results, and whether the caller voted (and how, unless anonymous). */
  public Future<JsonObject> list(Identity who, String meetingId) {
    return audience.member(who, meetingId, WHAT)
        .compose(m -> repo.ofMeeting(pool, meetingId, MAX_LIST))
        .compose(polls -> repo.votesOf(pool, polls.stream().map(Poll::id).toList(),
                polls.stream().map(p -> voterKey(p, who.userId())).toList())
            .map(mine -> {
              JsonArray items = new JsonArray();
              for (Poll p : polls) {
                JsonObject item = p.toJson();
                Integer[] choice = mine.get(p.id());
                item.put("voted", choice != null);
                if (choice != null && !p.anonymous()) {
                  item.put("myOptionIds", new JsonArray(List.of((Object[]) choice)));
                }
                items.add(item);
              }
              return new JsonObject().put("items", items);
            }));
  }

  /** A vote was counted here: results go out now or with the next paced send. */
  private void counted(String meetingId, String pollId) {
    pacer.counted(pollId, clock.instant()).ifPresent(wait ->
        vertx.setTimer(Math.max(1, wait.toMillis()), t -> sendResults(meetingId, pollId)));
  }

  private void sendResults(String meetingId, String pollId) {
    pacer.sending(pollId, clock.instant());
    repo.find(pool, meetingId, pollId)
        .compose(found -> found.isEmpty() ? Future.succeededFuture()
            : audience.attending(meetingId).map(attending -> {
              events.publish(attending, Events.POLL_RESULTS, found.get().results());
              return null;
            }))
        .onFailure(err -> LOG.warn("results of poll {} could not be sent (the next vote or the close sends them): {}",
            pollId, err.getMessage()));
  }

  /** Whom the database knows as the voter: the user, or for an anonymous poll a keyed hash of the user. */
  static String voterKey(Poll poll, String userId) {
    if (!poll.anonymous()) {
      return userId;
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(poll.voterSalt(), "HmacSHA256"));
      return "h:" + Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(userId.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
