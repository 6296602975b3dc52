package io.convene.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.testing.FakeLiveKit;
import io.convene.testing.ServerTestBase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A LiveKit that answers very late holds nobody: joins still get their tokens at once, readiness does
 * not call it, and a moderation request that needs its answer gets 503 within the request timeout.
 */
@Timeout(120)
class SlowLiveKitIT extends ServerTestBase {
  private static final Vertx SIDE = Vertx.vertx();
  private static FakeLiveKit liveKit;

  @Override
  protected JsonObject overrides() {
    liveKit = FakeLiveKit.start(SIDE);
    liveKit.delay(Duration.ofSeconds(30));
    return new JsonObject()
        .put("livekit", new JsonObject().put("url", liveKit.url()).put("apiKey", FakeLiveKit.KEY)
            .put("apiSecret", FakeLiveKit.SECRET))
        .put("http", new JsonObject().put("requestTimeoutMillis", 3000));
  }

  @AfterAll
  void stopFake() {
    liveKit.close();
    SIDE.close().await();
  }

  @Test
  void nothingWaitsForASlowLiveKit() {
    String owner = user("owner");
    String member = user("member");
    String id = json(server.post("/api/meetings", server.token(owner), new JsonObject().put("title", "Slow")
        .put("startTime", at(0)).put("endTime", at(60)).put("participantIds", new io.vertx.core.json.JsonArray()
            .add(member))), 201).getString("meetingId");
    for (int i = 0; i < 3; i++) {
      assertThat(json(server.post("/api/meetings/" + id + "/join", server.token(i == 0 ? owner : member), null), 200)
          .getString("token")).isNotBlank();
    }
    var ready = server.get("/health/ready", null);
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.bodyAsJsonObject().getJsonObject("checks").getString("postgres")).isEqualTo("UP");

    var mute = server.post("/api/meetings/" + id + "/mute", server.token(owner), new JsonObject().put("userId", member));
    assertThat(mute.statusCode()).isEqualTo(503);
    assertThat(mute.bodyAsJsonObject().getString("code")).isEqualTo("unavailable");
    assertThat(server.get("/api/meetings/" + id, server.token(owner)).statusCode()).as("the server is not held").isEqualTo(200);
  }
}
