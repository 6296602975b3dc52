package io.convene.testing;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import io.convene.MainVerticle;
import io.convene.cluster.Clustering;
import io.convene.config.AppConfig;
import io.convene.auth.DevTokens;
import io.convene.bus.Addresses;
import io.convene.config.ConfigLoader;
import io.convene.http.ApiVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Convene under test: one node deployed in the test's Vert.x, or a cluster of nodes (each its own
 * clustered Vert.x) sharing one database and one Redis. Ports are chosen by the OS. It offers real
 * HTTP and WebSocket clients spread round-robin over the nodes, direct SQL access to assert stored
 * state, and a recorder of the events published on the (clustered) event bus.
 */
public final class TestServer {
  public static final String SECRET = "test-secret-test-secret-test-secret-0123456789";

  private record Node(Vertx vertx, String deployment, int port, WebClient client, MainVerticle verticle) {}

  private final List<Node> nodes;
  private final boolean ownsVertx;
  private final DevTokens tokens;
  private final Pool sql;
  private final JsonObject config;
  private final AtomicInteger next = new AtomicInteger();
  public final EventRecorder events;
  /** The port of the first node. */
  public final int port;

  private TestServer(List<Node> nodes, boolean ownsVertx, JsonObject config) {
    this.nodes = nodes;
    this.ownsVertx = ownsVertx;
    this.config = config;
    this.port = nodes.get(0).port();
    Vertx first = nodes.get(0).vertx();
    this.tokens = new DevTokens(first, SECRET);
    this.sql = PgBuilder.pool().with(new PoolOptions().setMaxSize(2))
        .connectingTo(PgConnectOptions.fromUri(config.getJsonObject("db").getString("url"))).using(first).build();
    this.events = new EventRecorder(first, Addresses.USER_EVENTS);
  }

  public static JsonObject config(JsonObject overrides) {
    JsonObject config = ConfigLoader.defaults();
    config.getJsonObject("http").put("port", 0).put("instances", 2);
    config.put("devMode", "on");
    config.getJsonObject("db").put("url", TestBackends.newDatabase()).put("poolSize", 4);
    config.getJsonObject("redis").put("url", TestBackends.redisUrl()).put("poolSize", 4)
        .put("keyPrefix", "t" + UUID.randomUUID().toString().substring(0, 8) + ":");
    config.getJsonObject("auth").put("jwtSecret", SECRET);
    config.getJsonObject("gateway").put("sweepMillis", 50);
    // The clock of a test stands still, so buckets never refill: limits have tests of their own.
    config.getJsonObject("limits").put("enabled", false);
    // Tests of other behaviours watch whoever they like; visibility has tests of its own.
    config.getJsonObject("presence").put("sweepMillis", 50).put("bulkSeconds", 1).put("visibility", "everyone");
    config.getJsonObject("calls").put("sweepMillis", 50);
    config.getJsonObject("schedule").put("sweepSeconds", 1);
    config.getJsonObject("livekit").put("url", "ws://127.0.0.1:9").put("apiSecret", "unused-livekit-secret");
    config.put("dataDir", System.getProperty("java.io.tmpdir"));
    return config.mergeIn(overrides, true);
  }

  public static TestServer start(Vertx vertx, Clock clock) {
    return start(vertx, clock, new JsonObject());
  }

  public static TestServer start(Vertx vertx, Clock clock, JsonObject overrides) {
    return startWith(vertx, clock, config(overrides));
  }

  /** Starts a node with exactly {@code config}: a second node, or a restart, on the same database. */
  public static TestServer startWith(Vertx vertx, Clock clock, JsonObject config) {
    return new TestServer(List.of(deploy(vertx, clock, config)), false, config);
  }

  /**
   * Starts {@code size} clustered nodes on loopback, with a cluster name of their own. The later nodes
   * join the first at its actual Hazelcast port: other clusters on this machine (other builds) may hold
   * the first ports Hazelcast would probe, and nodes that miss each other would each form a cluster of
   * one. Fails unless every node sees all the others.
   */
  public static TestServer startCluster(int size, Clock clock, JsonObject overrides) {
    JsonObject config = config(overrides);
    // A port range of its own, so clusters of test runs that share the machine never meet.
    int base = 20_000 + new java.util.Random().nextInt(20_000);
    config.getJsonObject("cluster").put("enabled", true).put("name", "test-" + UUID.randomUUID())
        .put("hazelcastPort", base).put("members", "127.0.0.1:" + base)
        .put("memberTimeoutSeconds", 5).put("host", "127.0.0.1");
    List<Node> nodes = new ArrayList<>();
    List<Vertx> started = new ArrayList<>();
    List<HazelcastClusterManager> managers = new ArrayList<>();
    try {
      for (int i = 0; i < size; i++) {
        AppConfig.Cluster cluster = AppConfig.from(config).cluster();
        HazelcastClusterManager manager = new HazelcastClusterManager(Clustering.hazelcastConfig(cluster));
        Vertx vertx = Clustering.builder(new VertxOptions(), cluster).withClusterManager(manager).buildClustered().await();
        started.add(vertx);
        managers.add(manager);
        if (i == 0) {
          int port = manager.getHazelcastInstance().getCluster().getLocalMember().getAddress().getPort();
          config.getJsonObject("cluster").put("members", "127.0.0.1:" + port);
        }
        nodes.add(deploy(vertx, clock, config));
      }
      awaitMembers(managers, nodes.get(0).vertx());
      return new TestServer(nodes, true, config);
    } catch (RuntimeException | Error e) {
      started.forEach(v -> v.close().await());
      throw e;
    }
  }

  private static void awaitMembers(List<HazelcastClusterManager> managers, Vertx vertx) {
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(15).toNanos();
    while (!managers.stream().allMatch(m -> m.getNodes().size() == managers.size())) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the cluster did not form: members seen per node "
            + managers.stream().map(m -> m.getNodes().size()).toList());
      }
      vertx.timer(50).await();
    }
  }

  private static Node deploy(Vertx vertx, Clock clock, JsonObject config) {
    MainVerticle verticle = new MainVerticle(clock);
    String deployment = vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(config)).await();
    int port = (Integer) vertx.sharedData().getLocalMap(ApiVerticle.NODE_MAP).get(ApiVerticle.HTTP_PORT_KEY);
    return new Node(vertx, deployment, port,
        WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)), verticle);
  }

  /**
   * Stops the nodes this server started: a cluster's Vert.x instances are closed; a single node in the
   * caller's Vert.x is undeployed, so it stops taking the bus commands of the nodes that remain.
   */
  public void close() {
    for (Node n : nodes) {
      if (ownsVertx) {
        n.vertx().close().await();
      } else {
        n.vertx().undeploy(n.deployment()).await();
      }
    }
  }

  /** The HTTP routes the first node mounts (a router built as its HTTP verticles build theirs). */
  public io.vertx.ext.web.Router router() {
    return nodes.get(0).verticle().router();
  }

  public int nodeCount() {
    return nodes.size();
  }

  public int port(int node) {
    return nodes.get(node).port();
  }

  /** The first node's Vert.x: its event bus reaches the whole cluster. */
  public Vertx vertx() {
    return nodes.get(0).vertx();
  }

  private Node nextNode() {
    return nodes.get(Math.floorMod(next.getAndIncrement(), nodes.size()));
  }

  public String token(String userId) {
    return tokens.mint(userId, null, List.of(), 24 * 3600);
  }

  public String token(String userId, String name, List<String> roles) {
    return tokens.mint(userId, name, roles, 24 * 3600);
  }

  public String token(String userId, int ttlSeconds) {
    return tokens.mint(userId, null, List.of(), ttlSeconds);
  }

  /** A token that expires at {@code expiresAt}: on the server's clock, which tests move, not on real time. */
  public String token(String userId, Instant expiresAt) {
    return JWT.create().withSubject(userId).withExpiresAt(Date.from(expiresAt)).sign(Algorithm.HMAC256(SECRET));
  }

  /** A socket for {@code userId} on the next node in turn. */
  public WsClient socket(String userId) {
    return WsClient.connect(vertx(), nextNode().port(), token(userId));
  }

  /** A socket for {@code userId} on the given node. */
  public WsClient socket(String userId, int node) {
    return WsClient.connect(vertx(), port(node), token(userId));
  }

  /** A guest's socket on the next node in turn. */
  public WsClient guestSocket(String guestToken) {
    return WsClient.connect(vertx(), nextNode().port(), "/ws?guest_token=" + guestToken, null);
  }

  public JsonObject config() {
    return config;
  }

  /** A REST call to the next node in turn. */
  public HttpResponse<Buffer> call(HttpMethod method, String path, String token, Object body) {
    var request = nextNode().client().request(method, path).timeout(20_000);
    if (token != null) {
      request.bearerTokenAuthentication(token);
    }
    var future = body == null
        ? request.send()
        : body instanceof JsonObject json ? request.sendJsonObject(json)
        : request.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body.toString()));
    return future.await();
  }

  public HttpResponse<Buffer> get(String path, String token) {
    return call(HttpMethod.GET, path, token, null);
  }

  public HttpResponse<Buffer> post(String path, String token, Object body) {
    return call(HttpMethod.POST, path, token, body);
  }

  public HttpResponse<Buffer> patch(String path, String token, Object body) {
    return call(HttpMethod.PATCH, path, token, body);
  }

  public HttpResponse<Buffer> delete(String path, String token, Object body) {
    return call(HttpMethod.DELETE, path, token, body);
  }

  /**
   * Runs a query until its rows satisfy {@code test} (for state the server reaches asynchronously, after
   * an event the test already saw); fails after 15 s with the last rows.
   */
  public List<JsonObject> awaitRows(java.util.function.Predicate<List<JsonObject>> test, String query, Object... params) {
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(15).toNanos();
    while (true) {
      List<JsonObject> rows = rows(query, params);
      if (test.test(rows)) {
        return rows;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("rows of '" + query + "' never matched; last: " + rows);
      }
      vertx().timer(20).await();
    }
  }

  /** A pool of {@code size} connections of its own to the server's database, on {@code vertx}. */
  public Pool pool(Vertx vertx, int size) {
    return PgBuilder.pool().with(new PoolOptions().setMaxSize(size))
        .connectingTo(PgConnectOptions.fromUri(config.getJsonObject("db").getString("url"))).using(vertx).build();
  }

  /** Runs a query against the server's database and returns its rows as JSON. */
  public List<JsonObject> rows(String query, Object... params) {
    List<JsonObject> out = new ArrayList<>();
    for (Row r : sql.preparedQuery(query).execute(Tuple.wrap(List.of(params))).await()) {
      out.add(r.toJson());
    }
    return out;
  }
}
