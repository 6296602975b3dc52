package io.convene.guest;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.protocol.Events;
import io.convene.testing.Api.Guest;
import io.convene.testing.ServerTestBase;
import io.convene.testing.WsClient;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Previews (counts for guests), removing guests, and sessions that end after 24 hours. */
@Timeout(120)
class GuestSessionsIT extends ServerTestBase {

  @Test
  void previewsRemovalAndExpiry() {
    String owner = user("owner");
    String manager = user("manager");
    String member = user("member");
    String id = api.meeting(owner).title("Preview").from(0).to(60).allowExternal().invite(manager, member).createId();
    api.assignRole(id, owner, manager, "manager");
    String link = api.link(id, owner).getString("token");
    api.join(id, owner);

    Guest ann = api.register(link, "Ann");
    JsonObject forMember = api.preview(id, member);
    assertThat(forMember.getJsonArray("inRoom")).containsExactly(owner);
    assertThat(forMember.getJsonArray("invited")).contains(manager, member);
    JsonObject forGuest = ann.preview(id);
    assertThat(forGuest.getInteger("participantCount")).isEqualTo(1);
    assertThat(forGuest.containsKey("inRoom")).as("guests see counts, not names").isFalse();
    assertThat(forGuest.containsKey("invited")).isFalse();
    String other = api.meeting(owner).title("Other").from(0).to(60).createId();
    ann.expect(404).preview(other);

    WsClient annSocket = server.guestSocket(ann.token());
    annSocket.awaitEvent(Events.SESSION_WELCOME);
    api.expect(403).removeGuest(ann, member);
    api.removeGuest(ann, manager);
    assertThat(annSocket.awaitClose()).isEqualTo((short) 4004);

    Guest ben = api.register(link, "Ben");
    ben.leave(); // a guest may leave

    Guest cy = api.register(link, "Cy");
    clock.advance(Duration.ofHours(24));
    // 24 hours after registration the session has ended (the meeting itself may be purged by now)
    server.awaitRows(List::isEmpty, "SELECT 1 FROM guest_sessions WHERE id = $1 AND status <> 'ended'", cy.sessionId());
    cy.expect(401).preview(id);
  }
}
