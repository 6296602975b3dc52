package io.convene.meeting;

import io.convene.bus.UserEvents;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import java.util.function.BiFunction;

/** Runs a change in one transaction and sends what it tells others only once it committed. */
final class Transactions {
  private final Pool pool;
  private final UserEvents events;

  Transactions(Pool pool, UserEvents events) {
    this.pool = pool;
    this.events = events;
  }

  Pool pool() {
    return pool;
  }

  <T> Future<T> run(BiFunction<SqlClient, AfterCommit, Future<T>> work) {
    AfterCommit after = new AfterCommit();
    return pool.withTransaction(db -> work.apply(db, after)).onSuccess(v -> after.send(events));
  }
}
