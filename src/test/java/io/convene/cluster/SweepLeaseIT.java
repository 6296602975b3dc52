package io.convene.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.testing.TestBackends;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class SweepLeaseIT {
  private static final Vertx VERTX = Vertx.vertx();
  private static final Redis REDIS = Redis.createClient(VERTX, TestBackends.redisUrl());

  @AfterAll
  static void close() {
    VERTX.close().await();
  }

  @Test
  void oneNodeHoldsALeaseUntilItLapses() {
    String sweep = "test-" + UUID.randomUUID();
    SweepLease a = new SweepLease(REDIS, "node-a", "lease-it:");
    SweepLease b = new SweepLease(REDIS, "node-b", "lease-it:");
    assertThat(a.hold(sweep, Duration.ofMinutes(1)).await()).isTrue();
    assertThat(b.hold(sweep, Duration.ofMinutes(1)).await()).isFalse();
    assertThat(a.hold(sweep, Duration.ofMinutes(1)).await()).as("the holder renews").isTrue();
    long ttl = REDIS.send(Request.cmd(Command.PTTL).arg("lease-it:lease:" + sweep)).await().toLong();
    assertThat(ttl).isPositive().isLessThanOrEqualTo(60_000);

    REDIS.send(Request.cmd(Command.DEL).arg("lease-it:lease:" + sweep)).await();
    assertThat(b.hold(sweep, Duration.ofMinutes(1)).await()).as("after the lapse, another node takes over").isTrue();
    assertThat(a.hold(sweep, Duration.ofMinutes(1)).await()).isFalse();
  }

  @Test
  void leaseTimeCoversTwoPeriods() {
    assertThat(SweepLease.ttlFor(50)).isEqualTo(Duration.ofSeconds(1));
    assertThat(SweepLease.ttlFor(1000)).isEqualTo(Duration.ofSeconds(2));
  }
}
