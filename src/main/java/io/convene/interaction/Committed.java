package io.convene.interaction;

import io.convene.outbox.Effect;
import io.convene.outbox.Outbox;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** What a change answers and the effects (events) it leaves, written to the outbox in its transaction. */
record Committed<T>(T result, List<Effect> effects) {

  /** Runs {@code work} in a transaction with its effects; they are carried out right after the commit. */
  static <T> Future<T> run(Pool pool, Outbox outbox, Function<SqlClient, Future<Committed<T>>> work) {
    List<Outbox.Stored> stored = new ArrayList<>();
    return pool.<T>withTransaction(db -> work.apply(db).compose(step -> outbox.add(db, step.effects()).map(s -> {
          stored.addAll(s);
          return step.result();
        })))
        .map(result -> {
          outbox.runNow(stored);
          return result;
        });
  }
}
