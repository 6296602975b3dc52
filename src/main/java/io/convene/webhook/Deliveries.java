package io.convene.webhook;

import io.convene.config.AppConfig;
import io.convene.notify.NotificationService;
import io.convene.outbox.Effect;
import io.convene.outbox.Outbox;
import io.convene.protocol.Events;
import io.convene.webhook.WebhookRepository.Claimed;
import io.convene.webhook.WebhookRepository.Hook;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends stored deliveries. A node claims the due deliveries (a claim in the row, valid for {@link
 * #CLAIM}), so exactly one node sends each attempt; it claims at most {@code maxInFlightPerWebhook}
 * deliveries of one webhook at a time, so a receiver that is slow or never answers holds only its own
 * deliveries back. Each attempt is signed afresh (Standard Webhooks), posted to the address its target
 * check resolved, with the configured timeout and no redirects; its outcome is logged, and a failed
 * one is tried again after the next of {@code retryDelaysSeconds}. A delivery whose attempts all
 * failed counts against its webhook: after {@code disableAfterFailures} in a row, the webhook is
 * disabled and its creator is notified.
 */
public final class Deliveries {
  private static final Logger LOG = LoggerFactory.getLogger(Deliveries.class);
  /** How long a claim holds: longer than an attempt can take. */
  static final Duration CLAIM = Duration.ofSeconds(60);
  private static final int MAX_ERROR = 500;
  /** Notification type of a disabled webhook, for its creator. */
  public static final String WEBHOOK_DISABLED = "webhook_disabled";

  private final Pool pool;
  private final WebClient client;
  private final WebhookRepository repo;
  private final SecretBox secrets;
  private final Targets targets;
  private final Outbox outbox;
  private final NotificationService notifications;
  private final Clock clock;
  private final AppConfig.Webhooks config;
  private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
  private final AtomicBoolean dispatching = new AtomicBoolean();
  private final AtomicBoolean again = new AtomicBoolean();
  private volatile boolean stopped;
  private final WebhookStats stats = new WebhookStats();

  Deliveries(Pool pool, WebClient client, WebhookRepository repo, SecretBox secrets, Targets targets, Outbox outbox,
      NotificationService notifications, Clock clock, AppConfig.Webhooks config) {
    this.pool = pool;
    this.client = client;
    this.repo = repo;
    this.secrets = secrets;
    this.targets = targets;
    this.outbox = outbox;
    this.notifications = notifications;
    this.clock = clock;
    this.config = config;
  }

  public WebhookStats stats() {
    return stats;
  }

  /** Deliveries this node is sending now (all webhooks). */
  public int inFlight() {
    return inFlight.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  void stop() {
    stopped = true;
  }

  /** Looks for due deliveries soon; calls that come while one look runs make one more look after it. */
  public void kick() {
    if (stopped) {
      return;
    }
    if (!dispatching.compareAndSet(false, true)) {
      again.set(true);
      return;
    }
    dispatch().onComplete(ar -> {
      if (ar.failed()) {
        LOG.debug("claiming webhook deliveries failed: {}", ar.cause().getMessage());
      }
      dispatching.set(false);
      if (again.getAndSet(false)) {
        kick();
      }
    });
  }

  /** Claims what is due (within this node's free slots per webhook) and starts sending it; returns how many. */
  public Future<Integer> dispatch() {
    if (stopped) {
      return Future.succeededFuture(0);
    }
    Instant now = clock.instant();
    List<String> busyIds = new ArrayList<>();
    List<Integer> busyFree = new ArrayList<>();
    inFlight.forEach((id, n) -> {
      if (n.get() > 0) {
        busyIds.add(id);
        busyFree.add(Math.max(0, config.maxInFlightPerWebhook() - n.get()));
      }
    });
    String claimId = UUID.randomUUID().toString();
    return repo.claim(pool, now, now.plus(CLAIM), claimId, busyIds, busyFree, config.maxInFlightPerWebhook(),
            config.batchSize())
        .compose(claimed -> claimed.isEmpty() ? Future.succeededFuture(0)
            : repo.byIds(pool, claimed.stream().map(Claimed::webhookId).distinct().toList()).map(hooks -> {
              for (Claimed d : claimed) {
                Hook hook = hooks.stream().filter(h -> h.id().equals(d.webhookId())).findFirst().orElse(null);
                if (hook != null) {
                  send(d, hook, claimId);
                }
              }
              return claimed.size();
            }));
  }

  private void send(Claimed d, Hook hook, String claimId) {
    AtomicInteger slots = inFlight.computeIfAbsent(d.webhookId(), id -> new AtomicInteger());
    slots.incrementAndGet();
    long started = System.nanoTime();
    Future<Outcome> attempt;
    try {
      attempt = attempt(d, hook);
    } catch (RuntimeException e) {
      attempt = Future.succeededFuture(Outcome.failed(null, e.getMessage()));
    }
    attempt.otherwise(err -> Outcome.failed(null, describe(err)))
        .compose(outcome -> record(d, claimId, outcome, Duration.ofNanos(System.nanoTime() - started).toMillis()))
        .onComplete(ar -> {
          if (ar.failed()) {
            LOG.warn("recording the attempt of webhook delivery {} failed: {}", d.id(), ar.cause().getMessage());
          }
          slots.decrementAndGet();
          kick();
        });
  }

  /** What one attempt came to: success on a 2xx answer. */
  record Outcome(boolean ok, Integer responseCode, String error) {
    static Outcome failed(Integer code, String error) {
      return new Outcome(false, code, error == null ? "failed" : error.length() > MAX_ERROR ? error.substring(0, MAX_ERROR) : error);
    }
  }

  private Future<Outcome> attempt(Claimed d, Hook hook) {
    byte[] key = Signature.key(secrets.open(hook.secret()));
    long timeoutMs = config.timeoutSeconds() * 1000L;
    return targets.connectTo(hook.url()).compose(target -> {
      long timestamp = clock.instant().getEpochSecond();
      RequestOptions options = new RequestOptions().setHost(target.host()).setPort(target.port())
          .setURI(target.requestUri()).setSsl(target.ssl()).setFollowRedirects(false);
      var request = target.server() == null
          ? client.request(HttpMethod.POST, options)
          : client.request(HttpMethod.POST, target.server(), options);
      return request
          .followRedirects(false)
          .connectTimeout(timeoutMs)
          .timeout(timeoutMs)
          .putHeader("content-type", "application/json")
          .putHeader("user-agent", "Convene-Webhooks/1")
          .putHeader("webhook-id", d.eventId())
          .putHeader("webhook-timestamp", Long.toString(timestamp))
          .putHeader("webhook-signature", Signature.sign(key, d.eventId(), timestamp, d.body()))
          .sendBuffer(Buffer.buffer(d.body()))
          .timeout(timeoutMs + 1000, TimeUnit.MILLISECONDS)
          .map(Deliveries::judge);
    });
  }

  private static Outcome judge(HttpResponse<Buffer> response) {
    int code = response.statusCode();
    return code >= 200 && code < 300 ? new Outcome(true, code, null) : Outcome.failed(code, "the receiver answered HTTP " + code);
  }

  private static String describe(Throwable err) {
    if (err instanceof Targets.TargetRefused) {
      return "refused: " + err.getMessage();
    }
    if (err instanceof java.util.concurrent.TimeoutException || String.valueOf(err.getMessage()).contains("timeout")) {
      return "no answer within the timeout";
    }
    return err.getClass().getSimpleName() + ": " + err.getMessage();
  }

  /** The delay before the next attempt after {@code attemptInSeries} failed ones; null when they are all used. */
  static Duration nextDelay(List<Integer> delays, int attemptInSeries) {
    return attemptInSeries <= delays.size() ? Duration.ofSeconds(delays.get(attemptInSeries - 1)) : null;
  }

  private Future<Void> record(Claimed d, String claimId, Outcome outcome, long durationMillis) {
    Instant now = clock.instant();
    int attempt = d.attempts() + 1;
    Duration delay = outcome.ok() ? null : nextDelay(config.retryDelaysSeconds(), attempt - d.seriesStart());
    String state = outcome.ok() ? "succeeded" : delay == null ? "failed" : "pending";
    Instant next = delay == null ? now : now.plus(delay);
    // The webhook's row first (a key share lock), then the delivery's: the order a webhook's deletion
    // takes them in, so the two never deadlock.
    return pool.withTransaction(db -> repo.lockWebhook(db, d.webhookId())
            .compose(exists -> !exists ? Future.succeededFuture(false) : repo.finish(db, d.id(), claimId, state, next,
                outcome.responseCode(), outcome.error(), now))
            .compose(mine -> {
              if (!mine) {
                LOG.debug("webhook delivery {}: the claim lapsed before the attempt ended; not recorded", d.id());
                return Future.succeededFuture(List.<Outbox.Stored>of());
              }
              Future<Void> logged = repo.logAttempt(db, d.id(), d.webhookId(), attempt, outcome.ok(),
                  outcome.responseCode(), outcome.error(), now, durationMillis);
              if (outcome.ok()) {
                return logged.compose(v -> repo.resetFailures(db, d.webhookId())).map(List.<Outbox.Stored>of());
              }
              if (!state.equals("failed")) {
                return logged.map(List.<Outbox.Stored>of());
              }
              String reason = config.disableAfterFailures() + " deliveries in a row failed; the last: " + outcome.error();
              return logged.compose(v -> repo.countFailure(db, d.webhookId(), config.disableAfterFailures(), now, reason))
                  .compose(counted -> counted.isPresent() && counted.get().justDisabled()
                      ? outbox.add(db, List.of(disabledNotice(d.webhookId(), counted.get(), reason)))
                      : Future.succeededFuture(List.<Outbox.Stored>of()));
            }))
        .map(stored -> {
          (outcome.ok() ? stats.succeeded : delay == null ? stats.failed : stats.retried).increment();
          if (!stored.isEmpty()) {
            stats.disabled.increment();
            LOG.warn("webhook {} disabled: {}", d.webhookId(), outcome.error());
            outbox.runNow(stored);
          }
          return null;
        });
  }

  private Effect disabledNotice(String webhookId, WebhookRepository.Counted counted, String reason) {
    return notifications.notice(counted.createdBy(), WEBHOOK_DISABLED, null, new JsonObject()
        .put("webhookId", webhookId).put("url", counted.url()).put("failures", counted.failures())
        .put("reason", reason), null, Events.WEBHOOK_DISABLED);
  }
}
