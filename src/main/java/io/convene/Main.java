package io.convene;

import io.convene.auth.DevTokens;
import io.convene.bus.Addresses;
import io.convene.cluster.Clustering;
import io.convene.config.AppConfig;
import io.convene.config.ConfigException;
import io.convene.config.ConfigLoader;
import io.convene.config.Redact;
import io.convene.embedded.EmbeddedServices;
import io.convene.http.ApiVerticle;
import io.convene.metrics.NodeMetrics;
import io.vertx.core.Deployable;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.launcher.application.HookContext;
import io.vertx.launcher.application.VertxApplication;
import io.vertx.launcher.application.VertxApplicationHooks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Entry point: the Vert.x launcher with Convene's hooks. Without a configured database it starts the
 * embedded PostgreSQL and Redis before Vert.x and stops them after Vert.x has closed.
 *
 * <p>{@code java -jar convene.jar token <userId> [name]} prints a dev-mode token instead of starting.
 */
public final class Main extends VertxApplication implements VertxApplicationHooks {
  private static final String DEV_SECRET_FILE = "dev-jwt-secret";

  private static final List<String> CLUSTER_FLAGS = List.of("-cluster", "--cluster", "-c");

  private final boolean clusterFlag;
  private EmbeddedServices embedded;
  private JsonObject effective;
  private boolean embeddedDb;
  private boolean embeddedRedis;

  public Main(String[] args) {
    super(args);
    this.clusterFlag = Arrays.stream(args).anyMatch(CLUSTER_FLAGS::contains);
  }

  public static void main(String[] args) {
    System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.SLF4JLogDelegateFactory");
    if (args.length > 0 && args[0].equals("token")) {
      System.exit(printToken(args));
    }
    new Main(withClusterFlag(args)).launch();
  }

  /** {@code cluster.enabled} in the environment (or system properties) means the launcher's -cluster. */
  private static String[] withClusterFlag(String[] args) {
    if (Arrays.stream(args).anyMatch(CLUSTER_FLAGS::contains)) {
      return args;
    }
    try {
      JsonObject json = ConfigLoader.load(null, System.getenv(), System.getProperties());
      if (Boolean.TRUE.equals(json.getJsonObject("cluster").getBoolean("enabled"))) {
        String[] out = Arrays.copyOf(args, args.length + 1);
        out[args.length] = "-cluster";
        return out;
      }
    } catch (ConfigException e) {
      // reported with the full configuration below
    }
    return args;
  }

  /** Loads and validates the configuration before Vert.x exists, so a bad value stops the start. */
  @Override
  public JsonObject afterConfigParsed(JsonObject config) {
    try {
      effective = prepare(ConfigLoader.load(config, System.getenv(), System.getProperties()));
    } catch (ConfigException | IllegalStateException | UncheckedIOException e) {
      System.err.println("convene: " + e.getMessage());
      System.exit(2);
    }
    return config;
  }

  @Override
  public VertxBuilder createVertxBuilder(VertxOptions options) {
    AppConfig cfg = AppConfig.from(effective);
    return clusterFlag || cfg.cluster().enabled()
        ? Clustering.builder(options, cfg.cluster())
        : NodeMetrics.builder(options);
  }

  @Override
  public Supplier<? extends Deployable> verticleSupplier() {
    return MainVerticle::new;
  }

  /** Starts the embedded services the configuration leaves out. */
  @Override
  public void beforeStartingVertx(HookContext context) {
    try {
      if (embeddedDb || embeddedRedis) {
        embedded = EmbeddedServices.claim(AppConfig.from(effective).dataDir());
        if (embeddedDb) {
          effective.getJsonObject("db").put("url", embedded.startPostgres());
        }
        if (embeddedRedis) {
          effective.getJsonObject("redis").put("url", embedded.startRedis());
        }
      }
    } catch (IllegalStateException | UncheckedIOException e) {
      System.err.println("convene: " + e.getMessage());
      stopEmbedded();
      System.exit(2);
    }
  }

  @Override
  public void beforeDeployingVerticle(HookContext context) {
    context.deploymentOptions().setConfig(effective);
  }

  /** Resolves dev mode, provides a dev-mode signing secret when none is configured, and validates. */
  private JsonObject prepare(JsonObject json) {
    embeddedDb = json.getJsonObject("db").getValue("url") == null;
    embeddedRedis = json.getJsonObject("redis").getValue("url") == null;
    boolean dev = AppConfig.resolveDevMode(json);
    json.put("devMode", !dev ? "off" : "force".equals(json.getValue("devMode")) ? "force" : "on");
    Path dataDir = AppConfig.expandHome(json.getString("dataDir", "~/.convene"));
    JsonObject auth = json.getJsonObject("auth");
    // Dev tokens are signed with a key of their own, never with a configured secret of the host app.
    auth.put("devSecret", dev ? devSecret(dataDir) : null);
    AppConfig cfg = AppConfig.from(json);
    if (!dev && cfg.auth().unscoped()) {
      System.err.println("convene: WARNING auth.issuer or auth.audience is not set: any token signed with the"
          + " configured key is accepted, whoever it was issued for");
    }
    if (dev && !AppConfig.isLoopback(cfg.http().host())) {
      System.err.println("convene: WARNING dev mode is forced on " + cfg.http().host() + ": anyone who reaches this"
          + " address can mint tokens for any user");
    }
    return json;
  }

  @Override
  public void afterVerticleDeployed(HookContext context) {
    AppConfig cfg = AppConfig.from(effective);
    Object port = context.vertx().sharedData().getLocalMap(ApiVerticle.NODE_MAP).get(ApiVerticle.HTTP_PORT_KEY);
    String base = "http://" + cfg.http().host() + ":" + port;
    StringBuilder banner = new StringBuilder("\nConvene is listening on ").append(base).append('\n');
    banner.append("  PostgreSQL: ").append(Redact.url(cfg.db().url())).append(embeddedDb ? " (embedded)" : "").append('\n');
    banner.append("  Redis:      ").append(Redact.url(cfg.redis().url())).append(embeddedRedis ? " (embedded)" : "").append('\n');
    if (context.vertx().isClustered()) {
      banner.append("  Cluster:    ").append(cfg.cluster().name()).append(" (members ").append(cfg.cluster().members())
          .append(")\n");
    }
    if (embedded != null) {
      banner.append("  Data:       ").append(embedded.dataDir()).append('\n');
    }
    if (cfg.devMode()) {
      banner.append("  Dev mode is on. Get a token:\n")
          .append("    curl -s -X POST ").append(base).append("/dev/token -H 'Content-Type: application/json' -d '{\"userId\":\"alice\",\"name\":\"Alice\"}'\n")
          .append("    java -jar target/convene.jar token alice Alice\n");
    }
    System.out.println(banner);
  }

  @Override
  public void afterFailureToStartVertx(HookContext context, Throwable t) {
    stopEmbedded();
  }

  @Override
  public void afterFailureToDeployVerticle(HookContext context, Throwable t) {
    System.err.println("convene: failed to start: " + t.getMessage());
  }

  /** SIGTERM: the node drains (sockets moved to other nodes, requests answered, leases handed over) first. */
  @Override
  public void beforeStoppingVertx(HookContext context) {
    if (context.vertx() == null) {
      return;
    }
    long limit = AppConfig.from(effective).gateway().drainSeconds() + 10L;
    try {
      context.vertx().eventBus().request(Addresses.NODE_DRAIN, null,
              new DeliveryOptions().setSendTimeout(TimeUnit.SECONDS.toMillis(limit)).setLocalOnly(true))
          .toCompletionStage().toCompletableFuture().get(limit + 1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      System.err.println("convene: drain did not finish: " + e.getMessage());
    }
  }

  @Override
  public void afterVertxStopped(HookContext context) {
    stopEmbedded();
  }

  @Override
  public void afterFailureToStopVertx(HookContext context, Throwable t) {
    stopEmbedded();
  }

  private void stopEmbedded() {
    if (embedded != null) {
      embedded.close();
    }
  }

  /** The dev-mode secret persisted in the data directory, so tokens survive restarts. */
  static String devSecret(Path dataDir) {
    Path file = dataDir.resolve(DEV_SECRET_FILE);
    try {
      if (Files.exists(file)) {
        return Files.readString(file, StandardCharsets.UTF_8).trim();
      }
      Files.createDirectories(dataDir);
      byte[] bytes = new byte[32];
      new SecureRandom().nextBytes(bytes);
      String secret = HexFormat.of().formatHex(bytes);
      Files.writeString(file, secret, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
      return secret;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep the dev token secret in " + file, e);
    }
  }

  private static int printToken(String[] args) {
    if (args.length < 2 || args.length > 3) {
      System.err.println("usage: java -jar convene.jar token <userId> [name]");
      return 2;
    }
    try {
      JsonObject json = ConfigLoader.load(null, System.getenv(), System.getProperties());
      if (!AppConfig.resolveDevMode(json)) {
        System.err.println("convene: dev mode is off; tokens come from your identity provider");
        return 2;
      }
      String secret = devSecret(AppConfig.expandHome(json.getString("dataDir", "~/.convene")));
      Vertx vertx = Vertx.vertx();
      try {
        System.out.println(DevTokens.forDevMode(vertx, secret)
            .mint(args[1], args.length == 3 ? args[2] : null, List.of(), 24 * 3600));
      } finally {
        vertx.close();
      }
      return 0;
    } catch (ConfigException e) {
      System.err.println("convene: " + e.getMessage());
      return 2;
    }
  }
}
