package io.convene.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.Test;

class DatabaseTest {
  @Test
  void migrationsKeepTheTlsRequirementOfTheUrl() {
    assertThat(Database.jdbcUrl(PgConnectOptions.fromUri("postgresql://app:pw@db.internal:5432/convene?sslmode=require")))
        .isEqualTo("jdbc:postgresql://db.internal:5432/convene?sslmode=require");
    assertThat(Database.jdbcUrl(PgConnectOptions.fromUri("postgresql://db.internal:5432/convene?sslmode=verify-full")))
        .endsWith("?sslmode=verify-full");
    assertThat(Database.jdbcUrl(PgConnectOptions.fromUri("postgresql://db.internal:5432/convene")))
        .isEqualTo("jdbc:postgresql://db.internal:5432/convene");
  }
}
