package io.convene.db;

import io.convene.config.AppConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.pgclient.PgConnectOptions;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Brings the schema up to date with Flyway. Deployed as a worker: JDBC blocks. */
public final class MigrationVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(MigrationVerticle.class);

  private final AppConfig.Db db;

  public MigrationVerticle(AppConfig.Db db) {
    this.db = db;
  }

  @Override
  public Future<?> start() {
    PgConnectOptions options = Database.connectOptions(db);
    var result =
        Flyway.configure()
            .dataSource(Database.jdbcUrl(options), options.getUser(), options.getPassword())
            .locations("classpath:db/migration")
            .connectRetries(5)
            .load()
            .migrate();
    LOG.info("schema at version {} ({} migrations applied)", result.targetSchemaVersion, result.migrationsExecuted);
    return Future.succeededFuture();
  }
}
