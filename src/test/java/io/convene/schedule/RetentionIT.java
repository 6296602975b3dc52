package io.convene.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.bus.Addresses;
import io.convene.testing.EventRecorder;
import io.convene.testing.ServerTestBase;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Ended and cancelled meetings are purged after the retention window, with what belongs to them. */
@Timeout(120)
class RetentionIT extends ServerTestBase {

  @Test
  void retentionPurgesExactlyWhatItShould() {
    String owner = user("owner");
    String bob = user("bob");
    String shortOne = api.meeting(owner).title("Short").from(1).to(10).invite(bob).createId();
    String longOne = api.meeting(owner).title("Long").from(1).to(600).createId();
    api.cancel(shortOne, owner);
    api.cancel(longOne, owner);

    EventRecorder sweeps = new EventRecorder(vertx, Addresses.SCHEDULE_SWEPT);
    Instant justBefore = T0.plus(Duration.ofMinutes(10)).plus(Duration.ofHours(8)).minusSeconds(1);
    clock.set(justBefore);
    sweeps.awaitMessage(s -> !Instant.parse(s.getString("at")).isBefore(justBefore));
    assertThat(server.rows("SELECT id FROM meetings WHERE id = $1", shortOne)).as("just before the retention ends").hasSize(1);

    Instant at = T0.plus(Duration.ofMinutes(10)).plus(Duration.ofHours(8));
    clock.set(at);
    JsonObject purged = sweeps.awaitMessage(s -> !Instant.parse(s.getString("at")).isBefore(at) && s.getInteger("purged") > 0);
    assertThat(purged.getInteger("purged")).isEqualTo(1);
    assertThat(server.rows("SELECT id FROM meetings WHERE id = $1", shortOne)).as("purged").isEmpty();
    assertThat(server.rows("SELECT 1 FROM meeting_participants WHERE meeting_id = $1", shortOne)).isEmpty();
    assertThat(server.rows("SELECT id FROM meetings WHERE id = $1", longOne)).as("its end is later").hasSize(1);
  }
}
