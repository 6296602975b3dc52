package io.convene.schedule;

import io.convene.bus.Addresses;
import io.convene.cluster.SweepLease;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the schedule sweep every {@code schedule.sweepSeconds} on the node holding its lease (deployed
 * as a worker), logs what a run did and publishes its counts on {@link Addresses#SCHEDULE_SWEPT}.
 */
public final class ScheduleVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ScheduleVerticle.class);

  private final ScheduleService schedule;
  private final SweepLease lease;

  public ScheduleVerticle(ScheduleService schedule, SweepLease lease) {
    this.schedule = schedule;
    this.lease = lease;
  }

  @Override
  public Future<?> start() {
    lease.every(vertx, "schedule-sweep", schedule.config().sweepSeconds() * 1000L, () -> schedule.sweep().map(report -> {
      if (report.total() > 0) {
        LOG.info("schedule sweep: {}", report);
      }
      JsonObject counts = new JsonObject().put("at", report.at().toString());
      report.counts().forEach(counts::put);
      vertx.eventBus().publish(Addresses.SCHEDULE_SWEPT, counts);
      return report;
    }));
    return Future.succeededFuture();
  }
}
