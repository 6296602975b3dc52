package io.convene.user;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.protocol.Identity;
import io.convene.testing.ManualClock;
import io.convene.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Display names are served from memory for a minute, whether someone has one or not, then read again. */
@Timeout(60)
class UserDirectoryIT {
  private final Vertx vertx = Vertx.vertx();
  private final ManualClock clock = new ManualClock(Instant.parse("2030-01-15T10:00:00Z"));
  private TestServer server;
  private Pool pool;
  private UserDirectory users;

  @BeforeEach
  void start() {
    server = TestServer.start(vertx, clock);
    pool = server.pool(vertx, 1);
    users = new UserDirectory(pool, clock);
  }

  @AfterEach
  void stop() {
    server.close();
    vertx.close().await();
  }

  @Test
  void someoneWithoutANameIsNotLookedUpAgainWithinTheMinute() {
    assertThat(users.names(List.of("zed")).await()).isEmpty();

    // the directory learns a name; a lookup within the minute does not ask it
    write("zed", "Zed");
    clock.advance(Duration.ofSeconds(59));
    assertThat(users.names(List.of("zed")).await()).isEmpty();

    clock.advance(Duration.ofSeconds(2));
    assertThat(users.names(List.of("zed")).await()).isEqualTo(Map.of("zed", "Zed"));
  }

  @Test
  void aNameLookedUpIsReadAgainOnceItIsAMinuteOld() {
    write("ann", "Ann");
    assertThat(users.names(List.of("ann")).await()).isEqualTo(Map.of("ann", "Ann"));

    write("ann", "Anna");
    clock.advance(Duration.ofSeconds(61));
    assertThat(users.names(List.of("ann")).await()).isEqualTo(Map.of("ann", "Anna"));
  }

  @Test
  void theNameOfAFreshTokenWinsOverTheOneLookedUp() {
    write("bo", "Bo");
    assertThat(users.names(List.of("bo")).await()).isEqualTo(Map.of("bo", "Bo"));

    users.touch(new Identity("bo", "Bo Renamed", Set.of(), clock.instant().plusSeconds(3600)));
    assertThat(users.names(List.of("bo")).await()).isEqualTo(Map.of("bo", "Bo Renamed"));
  }

  private void write(String id, String name) {
    pool.preparedQuery("INSERT INTO users (id, display_name, last_seen) VALUES ($1, $2, now())"
            + " ON CONFLICT (id) DO UPDATE SET display_name = EXCLUDED.display_name")
        .execute(Tuple.of(id, name)).await();
  }
}
