package io.convene.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.testing.ServerTestBase;
import io.convene.testing.WebhookReceiver;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Outside dev mode (webhooks.allowPrivateTargets off) webhooks cannot target loopback, private,
 * link-local or unspecified addresses: refused at registration, and again at connect time for a target
 * that is stored already. Nothing here sends a request anywhere but loopback.
 */
@Timeout(120)
class WebhookTargetsIT extends ServerTestBase {
  private static final Vertx SIDE = Vertx.vertx();
  private static WebhookReceiver receiver;

  @Override
  protected JsonObject overrides() {
    receiver = WebhookReceiver.start(SIDE);
    return new JsonObject().put("webhooks", new JsonObject().put("allowPrivateTargets", "off").put("sweepMillis", 50));
  }

  @AfterAll
  void stopReceiver() {
    receiver.close();
    SIDE.close().await();
  }

  @Test
  void privateTargetsAreRefusedAtRegistration() {
    String admin = server.token(user("admin"), "Admin", List.of("admin"));
    for (String url : List.of(receiver.url("/ok/a"), "http://localhost:8080/hook", "http://10.1.2.3/hook",
        "http://192.168.0.10/hook", "http://172.20.0.1/hook", "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook", "http://[fd00::1]/hook", "http://[fe80::1]/hook", "http://0.0.0.0/hook",
        "http://224.0.0.251/hook", "http://[::ffff:127.0.0.1]/hook")) {
      JsonObject problem = json(server.post("/api/webhooks", admin, new JsonObject().put("url", url)
          .put("events", new JsonArray().add("*"))), 400);
      assertThat(problem.encode()).as(url).contains("refused_target").contains("allowPrivateTargets");
    }
    // A public address is accepted (it subscribes to an event no test emits: nothing is ever sent to it).
    JsonObject ok = json(server.post("/api/webhooks", admin, new JsonObject().put("url", "https://93.184.216.34/hook")
        .put("events", new JsonArray().add("recording.ready"))), 201);
    assertThat(json(server.patch("/api/webhooks/" + ok.getString("webhookId"), admin,
        new JsonObject().put("url", "http://127.0.0.1:9/x")), 400).encode()).contains("refused_target");
    server.rows("DELETE FROM webhooks WHERE id = $1", ok.getString("webhookId"));
  }

  @Test
  void aStoredPrivateTargetIsRefusedAtConnectTime() {
    String admin = server.token(user("admin"), "Admin", List.of("admin"));
    // As if registered while private targets were allowed.
    OffsetDateTime now = clock.instant().atOffset(ZoneOffset.UTC);
    server.rows("INSERT INTO webhooks (id, url, events, secret, created_by, created_at, updated_at)"
        + " VALUES ('wh_stored', $1, '{webhook.test}', $2, 'admin', $3, $3)", receiver.url("/ok/private"),
        "plain:" + Signature.newSecret(), now);
    json(server.post("/api/webhooks/wh_stored/test", admin, null), 202);
    JsonObject attempt = server.awaitRows(rows -> rows.size() == 1,
        "SELECT status, error FROM webhook_attempts WHERE webhook_id = 'wh_stored'").get(0);
    assertThat(attempt.getString("status")).isEqualTo("failed");
    assertThat(attempt.getString("error")).contains("refused").contains("loopback");
    assertThat(receiver.received("/ok/private")).isEmpty();
  }
}
