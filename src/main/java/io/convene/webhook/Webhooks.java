package io.convene.webhook;

import io.convene.config.AppConfig;
import io.convene.notify.NotificationService;
import io.convene.outbox.Outbox;
import io.convene.outbox.WebhookEvent;
import io.convene.protocol.ApiException;
import io.convene.protocol.ErrorCode;
import io.convene.protocol.Identity;
import io.convene.webhook.WebhookRepository.Hook;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.sqlclient.Pool;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Outbound webhooks: subscriptions (admins manage them), the fan-out of every committed {@link
 * WebhookEvent} into one stored delivery per subscribed webhook, test events, manual retries and the
 * delivery log. Sending is {@link Deliveries}'.
 */
public final class Webhooks {
  private static final Logger LOG = LoggerFactory.getLogger(Webhooks.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  public static final String ID_PREFIX = "wh_";

  private final Pool pool;
  private final WebhookRepository repo = new WebhookRepository();
  private final SecretBox secrets;
  private final Targets targets;
  private final Deliveries deliveries;
  private final Clock clock;
  private final AppConfig.Webhooks config;
  private final WebClient client;

  /** What a webhook change asks for; null fields stay as they are. */
  public record Changes(String url, List<String> events, String description, boolean clearDescription, Boolean enabled) {}

  public Webhooks(Vertx vertx, Pool pool, Outbox outbox, NotificationService notifications, Clock clock,
      AppConfig.Webhooks config, String jwtSecret, Targets.Resolver resolver) {
    this.pool = pool;
    this.clock = clock;
    this.config = config;
    this.secrets = SecretBox.from(config.secretKey(), jwtSecret);
    if (!secrets.encrypts()) {
      LOG.warn("webhook secrets are stored unencrypted: set webhooks.secretKey (CONVENE_WEBHOOKS_SECRET_KEY)");
    }
    this.targets = new Targets(config.allowPrivateTargets(), resolver == null ? Targets.system(vertx) : resolver);
    // One client for the node, kept in this field for the node's life (a client only referenced from a
    // local variable is closed when collected). Redirects are never followed.
    this.client = WebClient.create(vertx, new WebClientOptions()
        .setFollowRedirects(false)
        .setConnectTimeout(config.timeoutSeconds() * 1000)
        .setUserAgent("Convene-Webhooks/1")
        .setKeepAlive(true), new PoolOptions().setHttp1MaxSize(Math.max(8, config.maxInFlightPerWebhook() * 2)));
    this.deliveries = new Deliveries(pool, client, repo, secrets, targets, outbox, notifications, clock, config);
    outbox.handle(WebhookEvent.KIND, this::fanOut);
    outbox.storeOnlyWhen(WebhookEvent.KIND, WebhookRepository.SUBSCRIBED);
  }

  public Deliveries deliveries() {
    return deliveries;
  }

  public AppConfig.Webhooks config() {
    return config;
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  /** The outbox handler: one stored delivery per subscribed webhook (idempotent), then sending starts. */
  private Future<Void> fanOut(JsonObject payload) {
    var event = WebhookEvent.fromBody(payload);
    if (event.isEmpty()) {
      LOG.warn("dropping a webhook event that cannot be read: {}", payload.encode().length() > 200
          ? payload.encode().substring(0, 200) : payload.encode());
      return Future.succeededFuture();
    }
    WebhookEvent e = event.get();
    return repo.fanOut(pool, e.id(), e.type(), e.body().encode(), now(), null).map(n -> {
      if (n > 0) {
        deliveries.kick();
      }
      return null;
    });
  }

  // ---- subscriptions --------------------------------------------------------------------------

  public Future<JsonObject> create(Identity admin, String url, List<String> events, String description) {
    requireAdmin(admin);
    Instant now = now();
    String secret = Signature.newSecret();
    Hook hook = new Hook(ID_PREFIX + random(16), url, events, description, secrets.seal(secret), true,
        admin.userId(), now, now, 0, null, null);
    return checkTarget(url)
        .compose(v -> repo.insert(pool, hook))
        .map(v -> hook.toJson().put("secret", secret));
  }

  public Future<JsonObject> get(Identity admin, String id) {
    requireAdmin(admin);
    return load(id).map(Hook::toJson);
  }

  /** A page of webhooks, newest first: {@code {items, nextCursor?}}. */
  public Future<JsonObject> list(Identity admin, String cursor, int limit) {
    requireAdmin(admin);
    Instant afterAt = null;
    String afterId = null;
    if (cursor != null && !cursor.isEmpty()) {
      try {
        String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\\|", 2);
        afterAt = Instant.parse(parts[0]);
        afterId = parts[1];
      } catch (RuntimeException e) {
        throw ApiException.badRequest("cursor: not a cursor this server returned");
      }
    }
    return repo.list(pool, afterAt, afterId, limit + 1).map(rows -> {
      boolean more = rows.size() > limit;
      List<Hook> page = more ? rows.subList(0, limit) : rows;
      JsonArray items = new JsonArray();
      page.forEach(h -> items.add(h.toJson()));
      JsonObject json = new JsonObject().put("items", items);
      if (more) {
        Hook last = page.get(page.size() - 1);
        json.put("nextCursor", Base64.getUrlEncoder().withoutPadding().encodeToString(
            (last.createdAt() + "|" + last.id()).getBytes(StandardCharsets.UTF_8)));
      }
      return json;
    });
  }

  /** Changes a webhook; enabling it again starts its count of failures afresh. */
  public Future<JsonObject> update(Identity admin, String id, Changes c) {
    requireAdmin(admin);
    Future<Void> checked = c.url() == null ? Future.succeededFuture() : checkTarget(c.url());
    return checked.compose(v -> pool.withTransaction(db -> repo.find(db, id).compose(found -> {
      Hook h = found.orElseThrow(() -> ApiException.notFound("webhook"));
      boolean enabling = Boolean.TRUE.equals(c.enabled()) && !h.enabled();
      boolean disabling = Boolean.FALSE.equals(c.enabled()) && h.enabled();
      Hook changed = new Hook(h.id(),
          c.url() != null ? c.url() : h.url(),
          c.events() != null ? c.events() : h.events(),
          c.clearDescription() ? null : c.description() != null ? c.description() : h.description(),
          h.secret(),
          c.enabled() != null ? c.enabled() : h.enabled(),
          h.createdBy(), h.createdAt(), now(),
          enabling ? 0 : h.consecutiveFailures(),
          enabling ? null : disabling ? now() : h.disabledAt(),
          enabling ? null : disabling ? "disabled by " + admin.userId() : h.disabledReason());
      return repo.update(db, changed).map(changed);
    }))).map(changed -> {
      if (changed.enabled()) {
        deliveries.kick();
      }
      return changed.toJson();
    });
  }

  public Future<Void> delete(Identity admin, String id) {
    requireAdmin(admin);
    return repo.delete(pool, id).map(deleted -> {
      if (!deleted) {
        throw ApiException.notFound("webhook");
      }
      return null;
    });
  }

  // ---- deliveries -----------------------------------------------------------------------------

  /** Sends a {@code webhook.test} event to this webhook (only): {@code {eventId, deliveryId}}. */
  public Future<JsonObject> test(Identity admin, String id) {
    requireAdmin(admin);
    Instant now = now();
    return load(id).compose(h -> {
      if (!h.enabled()) {
        throw ApiException.invalidState("the webhook is disabled; enable it first (PATCH {\"enabled\":true})");
      }
      WebhookEvent event = WebhookEvent.of(WebhookEvent.WEBHOOK_TEST, new JsonObject().put("webhookId", id)
          .put("requestedBy", admin.userId()).put("message", "a test event from Convene"), now);
      return repo.fanOut(pool, event.id(), event.type(), event.body().encode(), now, id)
          .compose(n -> repo.deliveryOf(pool, id, event.id()))
          .map(delivery -> {
            deliveries.kick();
            return new JsonObject().put("eventId", event.id()).put("type", event.type())
                .put("deliveryId", delivery.orElse(null)).put("status", "pending");
          });
    });
  }

  /** Queues one of the webhook's deliveries again, now, with a new series of retries. */
  public Future<JsonObject> retry(Identity admin, String id, String deliveryId) {
    requireAdmin(admin);
    return load(id).compose(h -> {
      if (!h.enabled()) {
        throw ApiException.invalidState("the webhook is disabled; enable it first (PATCH {\"enabled\":true})");
      }
      return repo.requeue(pool, id, deliveryId, now()).map(queued -> {
        if (queued.isEmpty()) {
          throw ApiException.notFound("delivery");
        }
        if (!queued.get()) {
          throw new ApiException(ErrorCode.CONFLICT, "an attempt of this delivery is under way; try again later");
        }
        deliveries.kick();
        return new JsonObject().put("deliveryId", deliveryId).put("status", "pending");
      });
    });
  }

  /** The webhook's attempts, newest first: {@code {items, nextCursor?}}. */
  public Future<JsonObject> attempts(Identity admin, String id, String cursor, int limit) {
    requireAdmin(admin);
    Long before = null;
    if (cursor != null && !cursor.isEmpty()) {
      try {
        before = Long.parseLong(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
      } catch (RuntimeException e) {
        throw ApiException.badRequest("cursor: not a cursor this server returned");
      }
    }
    Long beforeId = before;
    return load(id).compose(h -> repo.attempts(pool, id, beforeId, limit + 1)).map(rows -> {
      boolean more = rows.size() > limit;
      List<JsonObject> page = more ? rows.subList(0, limit) : rows;
      JsonObject json = new JsonObject().put("items", new JsonArray(new java.util.ArrayList<>(page)));
      if (more) {
        json.put("nextCursor", Base64.getUrlEncoder().withoutPadding().encodeToString(
            Long.toString(page.get(page.size() - 1).getLong("attemptId")).getBytes(StandardCharsets.UTF_8)));
      }
      return json;
    });
  }

  /** Removes finished deliveries older than {@code keep}; for the schedule. */
  public Future<Integer> purgeFinished(Duration keep, int batch) {
    return repo.purgeFinished(pool, clock.instant().minus(keep), batch);
  }

  private Future<Hook> load(String id) {
    if (id == null || !id.startsWith(ID_PREFIX) || id.length() > 64) {
      return Future.failedFuture(ApiException.notFound("webhook"));
    }
    return repo.find(pool, id).map(found -> found.orElseThrow(() -> ApiException.notFound("webhook")));
  }

  private Future<Void> checkTarget(String url) {
    return targets.check(url).recover(err -> Future.failedFuture(err instanceof Targets.TargetRefused
        ? ApiException.validation(List.of(new io.convene.protocol.FieldError("url", "refused_target", err.getMessage())))
        : err));
  }

  private static void requireAdmin(Identity who) {
    if (!who.admin()) {
      throw ApiException.forbidden("webhooks are managed by administrators: the admin role is required");
    }
  }

  private static String random(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
