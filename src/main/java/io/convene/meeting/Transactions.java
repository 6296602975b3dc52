package io.convene.meeting;

import io.convene.audit.AuditLog;
import io.convene.bus.UserEvents;
import io.convene.outbox.Outbox;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import java.time.Clock;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Runs a change in one transaction; its audit entries are written in it, and what it tells others is
 * written to the outbox in the same transaction and carried out right after the commit.
 */
final class Transactions {
  private final Pool pool;
  private final UserEvents events;
  private final Outbox outbox;
  private final Clock clock;

  Transactions(Pool pool, UserEvents events, Outbox outbox, Clock clock) {
    this.pool = pool;
    this.events = events;
    this.outbox = outbox;
    this.clock = clock;
  }

  Pool pool() {
    return pool;
  }

  <T> Future<T> run(BiFunction<SqlClient, AfterCommit, Future<T>> work) {
    AfterCommit after = new AfterCommit(events, clock);
    // the audit rows and the outbox rows go out together, pipelined on the transaction's connection
    return pool.withTransaction(db -> work.apply(db, after)
            .compose(result -> {
              Future<Void> audited = AuditLog.append(db, after.auditEntries());
              Future<List<Outbox.Stored>> stored = outbox.add(db, after.effects());
              return Future.all(audited, stored).map(v -> new Committed<>(result, stored.result()));
            }))
        .map(committed -> {
          outbox.runNow(committed.effects());
          return committed.result();
        });
  }

  private record Committed<T>(T result, List<Outbox.Stored> effects) {}
}
