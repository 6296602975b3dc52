package io.convene.schedule;

import io.convene.bus.Addresses;
import io.convene.cluster.SweepLease;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the schedule sweep every {@code schedule.sweepSeconds} on the node holding its lease; deployed
 * as a worker. One run at a time: a slow database never piles up overlapping runs.
 */
public final class ScheduleVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ScheduleVerticle.class);
  private static final String SWEEP = "schedule-sweep";

  private final ScheduleService schedule;
  private final SweepLease lease;
  private boolean running;

  public ScheduleVerticle(ScheduleService schedule, SweepLease lease) {
    this.schedule = schedule;
    this.lease = lease;
  }

  @Override
  public Future<?> start() {
    long period = schedule.config().sweepSeconds() * 1000L;
    vertx.setPeriodic(period, id -> run(period));
    return Future.succeededFuture();
  }

  private void run(long period) {
    if (running) {
      return;
    }
    running = true;
    lease.hold(SWEEP, SweepLease.ttlFor(period))
        .compose(held -> held ? schedule.sweep().map(report -> {
          if (report.total() > 0) {
            LOG.info("schedule sweep: {}", report);
          }
          JsonObject counts = new JsonObject().put("at", report.at().toString());
          report.counts().forEach(counts::put);
          vertx.eventBus().publish(Addresses.SCHEDULE_SWEPT, counts);
          return report;
        }) : Future.succeededFuture())
        .onFailure(err -> LOG.warn("schedule sweep failed: {}", err.getMessage()))
        .onComplete(ar -> running = false);
  }
}
