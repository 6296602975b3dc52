package io.convene.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

/**
 * The zero-configuration backing services: a PostgreSQL and a Redis whose data live in a directory
 * outside the working directory, on free loopback ports. One process at a time owns a data directory
 * (a file lock); processes a crashed owner left behind are stopped before starting again.
 *
 * <p>These calls block (process start-up): call them before Vert.x starts or after it has stopped.
 */
public final class EmbeddedServices implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedServices.class);
  private static final Duration LEFTOVER_STOP_WAIT = Duration.ofSeconds(15);

  private final Path dataDir;
  private FileChannel lockChannel;
  private FileLock lock;
  private EmbeddedPostgres postgres;
  private RedisServer redis;
  private int redisPort;

  private EmbeddedServices(Path dataDir) {
    this.dataDir = dataDir;
  }

  /** Takes ownership of {@code dataDir}, failing if another live process holds it. */
  public static EmbeddedServices claim(Path dataDir) {
    EmbeddedServices services = new EmbeddedServices(dataDir.toAbsolutePath().normalize());
    services.lock();
    return services;
  }

  public Path dataDir() {
    return dataDir;
  }

  /**
   * Starts PostgreSQL; returns its connection URL (trust authentication, user and database postgres).
   * On a platform whose binaries are not in the jar this fetches them once ({@link PgBinaries}).
   *
   * @throws IllegalStateException when there are no binaries for this platform or they cannot be had
   */
  public String startPostgres() {
    return startPostgres(0);
  }

  /** Starts PostgreSQL on {@code port} (0: a free one); returns its connection URL. */
  public String startPostgres(int port) {
    Path pgDir = dataDir.resolve("postgres");
    PgBinaryResolver binaries = PgBinaries.forDataDir(dataDir).resolve();
    try {
      Files.createDirectories(pgDir);
      stopLeftover(pgDir.resolve("postmaster.pid"), "postgres");
      postgres =
          EmbeddedPostgres.builder()
              .setPgBinaryResolver(binaries)
              .setDataDirectory(pgDir)
              .setCleanDataDirectory(false)
              .setRegisterShutdownHook(false)
              .setPort(port)
              .setPGStartupWait(Duration.ofSeconds(30))
              .setServerConfig("max_connections", "300")
              .setServerConfig("fsync", "on")
              .setServerConfig("synchronous_commit", "on")
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start embedded PostgreSQL in " + pgDir, e);
    }
    return "postgresql://postgres@127.0.0.1:" + postgres.getPort() + "/postgres";
  }

  /** Starts Redis with append-only persistence on a free port; returns its connection URL. */
  public String startRedis() {
    try {
      return startRedis(freePort());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts Redis on {@code port}; returns its connection URL. */
  public String startRedis(int port) {
    EmbeddedPlatform platform = EmbeddedPlatform.current();
    if (!platform.hasEmbeddedRedis()) {
      throw platform.unsupported("Redis");
    }
    Path redisDir = dataDir.resolve("redis");
    Path pidFile = redisDir.resolve("redis.pid");
    try {
      Files.createDirectories(redisDir);
      stopLeftover(pidFile, "redis");
      redisPort = port;
      redis =
          RedisServer.newRedisServer()
              .bind("127.0.0.1")
              .port(redisPort)
              .setting("dir " + redisDir)
              .setting("pidfile " + pidFile)
              .setting("appendonly yes")
              .setting("save \"\"")
              .soutListener(line -> LOG.debug("redis: {}", line))
              .serrListener(line -> LOG.warn("redis: {}", line))
              .build();
      redis.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start embedded Redis in " + redisDir, e);
    }
    return "redis://127.0.0.1:" + redisPort;
  }

  /** Stops PostgreSQL alone (its data stays); safe to call more than once. */
  public synchronized void stopPostgres() {
    if (postgres != null) {
      try {
        postgres.close();
      } catch (IOException e) {
        LOG.warn("stopping embedded PostgreSQL failed", e);
      }
      postgres = null;
    }
  }

  /** Stops Redis alone; safe to call more than once. */
  public synchronized void stopRedis() {
    if (redis != null) {
      try {
        redis.stop();
      } catch (IOException e) {
        LOG.warn("stopping embedded Redis failed", e);
      }
      redis = null;
    }
  }

  /** Stops Redis, then PostgreSQL, then releases the data directory. Safe to call more than once. */
  @Override
  public synchronized void close() {
    stopRedis();
    stopPostgres();
    if (lock != null) {
      try {
        lock.release();
        lockChannel.close();
      } catch (IOException e) {
        LOG.debug("releasing data directory lock failed", e);
      }
      lock = null;
    }
  }

  private void lock() {
    try {
      Files.createDirectories(dataDir);
      lockChannel =
          FileChannel.open(dataDir.resolve("convene.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      lock = lockChannel.tryLock();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot use data directory " + dataDir, e);
    }
    if (lock == null) {
      throw new IllegalStateException(
          "data directory " + dataDir + " is in use by another Convene process; stop it or set CONVENE_DATA_DIR");
    }
  }

  /**
   * Stops a server process a crashed owner of this data directory left running. Safe because this
   * process holds the directory lock: no live Convene can own that process.
   */
  private static void stopLeftover(Path pidFile, String expectedCommand) throws IOException {
    if (!Files.exists(pidFile)) {
      return;
    }
    List<String> lines = Files.readAllLines(pidFile);
    if (lines.isEmpty()) {
      return;
    }
    long pid;
    try {
      pid = Long.parseLong(lines.get(0).trim());
    } catch (NumberFormatException e) {
      return;
    }
    Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    if (process.isEmpty()
        || !process.get().info().command().map(c -> c.contains(expectedCommand)).orElse(false)) {
      return;
    }
    LOG.warn("stopping leftover {} process {} from an earlier run", expectedCommand, pid);
    ProcessHandle handle = process.get();
    handle.destroy();
    try {
      handle.onExit().get(LEFTOVER_STOP_WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      handle.destroyForcibly();
      try {
        handle.onExit().get(LEFTOVER_STOP_WAIT.toSeconds(), TimeUnit.SECONDS);
      } catch (Exception again) {
        throw new IllegalStateException("cannot stop leftover " + expectedCommand + " process " + pid, again);
      }
    }
  }

  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
