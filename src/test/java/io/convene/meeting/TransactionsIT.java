package io.convene.meeting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convene.audit.AuditLog;
import io.convene.bus.UserEvents;
import io.convene.config.AppConfig;
import io.convene.outbox.Effect;
import io.convene.outbox.Outbox;
import io.convene.testing.ManualClock;
import io.convene.testing.TestServer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.TransactionRollbackException;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A change's statements, audit rows and outbox rows are pipelined on one connection: all of them land, in
 * order, or none does, and the connection goes back to the pool outside any transaction.
 */
@Timeout(60)
class TransactionsIT {
  private final Vertx vertx = Vertx.vertx();
  private final ManualClock clock = new ManualClock(Instant.parse("2030-01-15T10:00:00Z"));
  private TestServer server;
  private Pool pool;
  private Transactions tx;

  @BeforeEach
  void start() {
    server = TestServer.start(vertx, clock);
    // one connection: every transaction reuses the one before it
    pool = server.pool(vertx, 1);
    Outbox outbox = new Outbox(pool, clock, new AppConfig.Outbox(30, 5, 60_000, 100));
    outbox.handle("test.effect", payload -> Future.succeededFuture());
    tx = new Transactions(pool, new UserEvents(vertx.eventBus(), clock), outbox, clock);
  }

  @AfterEach
  void stop() {
    server.close();
    vertx.close().await();
  }

  @Test
  void recordsNamedBeforeAndAfterTheStatementAllLandInOrder() {
    String id = tx.run((db, after) -> {
      after.audit(AuditLog.MEETING_CREATED, "m-1", "alice", new JsonObject().put("n", 1));
      after.effect(new Effect("test.effect", new JsonObject().put("n", 1)));
      return db.preparedQuery("SELECT $1::text AS id").execute(Tuple.of("done")).map(rows -> {
        after.audit(AuditLog.MEETING_UPDATED, "m-1", "alice", new JsonObject().put("n", 2));
        return rows.iterator().next().getString("id");
      });
    }).await();

    assertThat(id).isEqualTo("done");
    assertThat(server.rows("SELECT action FROM audit_log WHERE meeting_id = 'm-1' ORDER BY id"))
        .extracting(r -> r.getString("action")).containsExactly(AuditLog.MEETING_CREATED, AuditLog.MEETING_UPDATED);
    assertThat(outsideTransaction()).isTrue();
  }

  @Test
  void effectsThatRecordStateAreCarriedOutBeforeTheChangeIsTold() {
    Outbox outbox = new Outbox(pool, clock, new AppConfig.Outbox(30, 5, 60_000, 100));
    List<String> order = new CopyOnWriteArrayList<>();
    Promise<Void> told = Promise.promise();
    // the state takes a while to record (a Redis round trip, say); telling is instant
    outbox.handleFirst("test.state", payload -> {
      order.add("recording");
      return vertx.timer(50).map(t -> {
        order.add("recorded");
        return null;
      });
    });
    outbox.handle("test.tell", payload -> {
      order.add("told");
      told.tryComplete();
      return Future.succeededFuture();
    });
    new Transactions(pool, new UserEvents(vertx.eventBus(), clock), outbox, clock).run((db, after) -> {
      after.effect(new Effect("test.tell", new JsonObject()));
      after.effect(new Effect("test.state", new JsonObject()));
      return db.query("SELECT 1").execute().mapEmpty();
    }).await();

    told.future().await();
    assertThat(order).containsExactly("recording", "recorded", "told");
  }

  @Test
  void aStatementThatFailsLeavesNothingWrittenAndTheConnectionClean() {
    Future<Object> failed = tx.run((db, after) -> {
      after.audit(AuditLog.MEETING_CREATED, "m-2", "alice", new JsonObject());
      return auditRow(db, "m-2").compose(v -> db.query("SELECT 1 / 0").execute()).map(v -> null);
    });

    assertThatThrownBy(failed::await).hasMessageContaining("division by zero");
    assertNothingWritten("m-2");
  }

  @Test
  void aChangeThatRecoversFromAFailedStatementIsStillRolledBackAndTellsNobody() {
    Future<Object> failed = tx.run((db, after) -> {
      after.effect(new Effect("test.effect", new JsonObject().put("n", 5)));
      return auditRow(db, "m-5").compose(v -> db.query("SELECT 1 / 0").execute()).otherwiseEmpty().map(v -> null);
    });

    assertThatThrownBy(failed::await).isInstanceOf(TransactionRollbackException.class);
    assertThat(server.rows("SELECT * FROM outbox WHERE kind = 'test.effect'")).isEmpty();
    assertNothingWritten("m-5");
  }

  @Test
  void aChangeThatFailsAfterItsStatementsSucceededIsRolledBack() {
    Future<Object> failed = tx.run((db, after) -> {
      after.audit(AuditLog.MEETING_CREATED, "m-3", "alice", new JsonObject());
      return auditRow(db, "m-3").map(v -> {
        throw new IllegalStateException("the change changed its mind");
      });
    });

    assertThatThrownBy(failed::await).hasMessageContaining("changed its mind");
    assertNothingWritten("m-3");
  }

  @Test
  void aChangeThatThrowsBeforeSendingAnythingIsRolledBack() {
    Future<Object> failed = tx.run((db, after) -> {
      after.audit(AuditLog.MEETING_CREATED, "m-4", "alice", new JsonObject());
      throw new IllegalArgumentException("no such thing");
    });

    assertThatThrownBy(failed::await).hasMessageContaining("no such thing");
    assertNothingWritten("m-4");
  }

  /** A statement of the change's own: an audit row about {@code meetingId}. */
  private static Future<RowSet<Row>> auditRow(SqlClient db, String meetingId) {
    return db.preparedQuery("INSERT INTO audit_log (at, action, meeting_id, details) VALUES (now(), 'x', $1, '{}')")
        .execute(Tuple.of(meetingId));
  }

  /** Nothing about {@code meetingId} was written, and the connection went back outside any transaction. */
  private void assertNothingWritten(String meetingId) {
    assertThat(server.rows("SELECT * FROM audit_log WHERE meeting_id = $1", meetingId)).isEmpty();
    assertThat(outsideTransaction()).isTrue();
  }

  /**
   * Whether the pool's one connection is outside any transaction: only the first statement of a
   * transaction runs at the moment the transaction began.
   */
  private boolean outsideTransaction() {
    return pool.query("SELECT statement_timestamp() = transaction_timestamp() AS fresh").execute()
        .map(rows -> rows.iterator().next().getBoolean("fresh")).await();
  }
}
