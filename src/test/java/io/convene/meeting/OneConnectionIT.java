package io.convene.meeting;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.testing.ServerTestBase;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A create reads its overlaps on a second connection while its transaction holds the first: with a
 * pool of one connection, it must still complete (the read is asked for first) and see the overlap.
 */
@Timeout(60)
class OneConnectionIT extends ServerTestBase {
  @Override
  protected JsonObject overrides() {
    return new JsonObject().put("db", new JsonObject().put("poolSize", 1));
  }

  @Test
  void aCreateCompletesWithOnePooledConnectionAndListsItsOverlaps() {
    String alice = user("alice");
    String bob = user("bob");
    String first = api.meeting(alice).title("First").from(60).to(120).invite(bob).createId();

    JsonObject second = api.meeting(alice).title("Second").from(90).to(150).invite(bob).create();

    assertThat(second.getString("meetingId")).isNotEqualTo(first);
    assertThat(second.getJsonArray("warnings").stream().map(w -> ((JsonObject) w).getString("meetingId")))
        .isNotEmpty().allMatch(first::equals);
  }
}
