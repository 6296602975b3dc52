package io.convene.meeting;

import io.convene.audit.AuditEntry;
import io.convene.audit.AuditLog;
import io.convene.bus.UserEvents;
import io.convene.outbox.Effect;
import io.convene.outbox.Outbox;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.TransactionRollbackException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Runs a change in one transaction; its audit entries are written in it, and what it tells others is
 * written to the outbox in the same transaction and carried out right after the commit. The change
 * completes once the state its effects record (the live roster) is written and its events are out, so
 * what its caller tells next follows them.
 *
 * <p>The statements are pipelined on the transaction's connection: {@code BEGIN} goes out with the
 * change's first statement, and so do the audit and outbox rows the change named before issuing it; the
 * rest follow once the change is done, then {@code COMMIT}. A change that knows its records up front (an
 * instant call) thus commits in two round trips instead of four.
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
    return pool.withConnection(conn -> {
      // not awaited: BEGIN is queued ahead of what follows on the connection
      Future<Transaction> begun = conn.begin();
      Future<T> worked;
      Records early;
      try {
        worked = work.apply(conn, after);
        early = records(conn, after, 0, 0);
      } catch (RuntimeException e) {
        return begun.compose(tx -> tx.rollback()).transform(x -> Future.failedFuture(e));
      }
      // joined, not all: a rollback waits for every statement sent so far
      return Future.join(begun, worked, early.stored)
          .compose(v -> {
            Records late = records(conn, after, early.audited, early.effects);
            return late.stored.map(rest -> {
              List<Outbox.Stored> stored = new ArrayList<>(early.stored.result());
              stored.addAll(rest);
              return new Committed<>(worked.result(), stored);
            });
          })
          // fails, having rolled back, when any statement of the transaction failed, even one the change recovered from
          .compose(committed -> begun.result().commit().map(committed))
          .recover(err -> begun.succeeded() && !(err instanceof TransactionRollbackException)
              ? begun.result().rollback().transform(x -> Future.failedFuture(err))
              : Future.failedFuture(err));
    }).compose(committed -> outbox.startNow(committed.effects()).map(committed.result()));
  }

  /** Writes the audit entries and effects recorded since {@code auditFrom} and {@code effectsFrom}. */
  private Records records(SqlConnection conn, AfterCommit after, int auditFrom, int effectsFrom) {
    List<AuditEntry> entries = List.copyOf(after.auditEntries().subList(auditFrom,
        after.auditEntries().size()));
    List<Effect> effects = List.copyOf(after.effects().subList(effectsFrom, after.effects().size()));
    Future<Void> audited = AuditLog.append(conn, entries);
    Future<List<Outbox.Stored>> stored = outbox.add(conn, effects);
    return new Records(auditFrom + entries.size(), effectsFrom + effects.size(),
        Future.all(audited, stored).map(v -> stored.result()));
  }

  private record Records(int audited, int effects, Future<List<Outbox.Stored>> stored) {}

  private record Committed<T>(T result, List<Outbox.Stored> effects) {}
}
