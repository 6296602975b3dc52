package io.convene.meeting;

import io.convene.bus.UserEvents;
import io.convene.outbox.Outbox;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Runs a change in one transaction; what it tells others is written to the outbox in the same
 * transaction and carried out right after the commit.
 */
final class Transactions {
  private final Pool pool;
  private final UserEvents events;
  private final Outbox outbox;

  Transactions(Pool pool, UserEvents events, Outbox outbox) {
    this.pool = pool;
    this.events = events;
    this.outbox = outbox;
  }

  Pool pool() {
    return pool;
  }

  <T> Future<T> run(BiFunction<SqlClient, AfterCommit, Future<T>> work) {
    AfterCommit after = new AfterCommit(events);
    return pool.withTransaction(db -> work.apply(db, after)
            .compose(result -> outbox.add(db, after.effects()).map(stored -> new Committed<>(result, stored))))
        .map(committed -> {
          outbox.runNow(committed.effects());
          return committed.result();
        });
  }

  private record Committed<T>(T result, List<Outbox.Stored> effects) {}
}
