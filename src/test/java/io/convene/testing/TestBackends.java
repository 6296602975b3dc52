package io.convene.testing;

import io.convene.embedded.EmbeddedServices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL and one real Redis per test JVM (the embedded ones, in a temporary directory).
 * Each server under test gets a database of its own.
 */
public final class TestBackends {
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static EmbeddedServices services;
  private static String postgresUrl;
  private static String redisUrl;

  private TestBackends() {}

  private static synchronized void ensureStarted() {
    if (services != null) {
      return;
    }
    try {
      Path dir = Files.createTempDirectory("convene-test-");
      services = EmbeddedServices.claim(dir);
      postgresUrl = services.startPostgres();
      redisUrl = services.startRedis();
      Runtime.getRuntime().addShutdownHook(new Thread(services::close));
    } catch (Exception e) {
      throw new IllegalStateException("cannot start test backends", e);
    }
  }

  public static String redisUrl() {
    ensureStarted();
    return redisUrl;
  }

  /** A new, empty database; returns its connection URL. */
  public static String newDatabase() {
    ensureStarted();
    String name = "t" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
    String jdbc = "jdbc:postgresql://" + postgresUrl.substring("postgresql://postgres@".length());
    try (Connection c = DriverManager.getConnection(jdbc, "postgres", null);
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (Exception e) {
      throw new IllegalStateException("cannot create test database", e);
    }
    return postgresUrl.substring(0, postgresUrl.lastIndexOf('/') + 1) + name;
  }
}
