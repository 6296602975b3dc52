package io.convene.db;

import io.convene.config.AppConfig;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

/** Connection settings and the shared connection pool of the node. */
public final class Database {
  private Database() {}

  public static PgConnectOptions connectOptions(AppConfig.Db db) {
    PgConnectOptions options = PgConnectOptions.fromUri(db.url());
    if (db.user() != null) {
      options.setUser(db.user());
    }
    if (db.password() != null) {
      options.setPassword(db.password());
    }
    return options.setCachePreparedStatements(true).setPreparedStatementCacheMaxSize(512);
  }

  public static Pool pool(Vertx vertx, AppConfig.Db db) {
    return PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(db.poolSize()).setMaxWaitQueueSize(db.waitQueue()).setName("convene-pg")
            .setConnectionTimeout(db.timeoutMillis()).setConnectionTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS))
        .connectingTo(connectOptions(db))
        .using(vertx)
        .build();
  }

  /**
   * The JDBC form of the same settings, for Flyway: the same TLS requirement ({@code sslmode}) as the
   * pool's, so migrations never travel in plaintext where the pool would not.
   */
  public static String jdbcUrl(PgConnectOptions options) {
    String url = "jdbc:postgresql://" + options.getHost() + ":" + options.getPort() + "/" + options.getDatabase();
    SslMode mode = options.getSslMode();
    return mode == null || mode == SslMode.DISABLE ? url : url + "?sslmode=" + mode.value;
  }
}
