package io.convene.room;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.testing.ServerTestBase;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** With LiveKit unreachable the node stays ready and keeps issuing tokens. */
@Timeout(60)
class LiveKitDownIT extends ServerTestBase {
  @Test
  void tokensAreStillIssuedAndReadinessReportsLiveKitDegraded() {
    String owner = user("owner");
    String id = api.meeting(owner).title("No media server").from(0).to(30).createId();
    JsonObject join = api.join(id, owner);
    assertThat(join.getString("token")).isNotBlank();
    // the room is created in LiveKit right after the join answered: readiness tells once that failed
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(15).toNanos();
    var ready = server.get("/health/ready", null);
    while (!"DEGRADED".equals(ready.bodyAsJsonObject().getJsonObject("checks").getString("livekit"))
        && System.nanoTime() < deadline) {
      vertx.timer(20).await();
      ready = server.get("/health/ready", null);
    }
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.bodyAsJsonObject().getJsonObject("checks").getString("livekit")).isEqualTo("DEGRADED");
    assertThat(ready.bodyAsJsonObject().getString("status")).isEqualTo("UP");
  }
}
