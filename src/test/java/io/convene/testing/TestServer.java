package io.convene.testing;

import io.convene.MainVerticle;
import io.convene.auth.DevTokens;
import io.convene.bus.Addresses;
import io.convene.config.ConfigLoader;
import io.convene.http.ApiVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * A Convene node deployed in the test's Vert.x, on a port chosen by the OS, with a fresh database, plus
 * a real HTTP client, direct SQL access to assert stored state, and a recorder of published events.
 */
public final class TestServer {
  public static final String SECRET = "test-secret-test-secret-test-secret-0123456789";

  private final Vertx vertx;
  private final WebClient client;
  private final DevTokens tokens;
  private final Pool sql;
  private final JsonObject config;
  public final EventRecorder events;
  public final int port;

  private TestServer(Vertx vertx, JsonObject config, int port) {
    this.vertx = vertx;
    this.config = config;
    this.port = port;
    this.client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
    this.tokens = new DevTokens(vertx, SECRET);
    this.sql = PgBuilder.pool().with(new PoolOptions().setMaxSize(2))
        .connectingTo(PgConnectOptions.fromUri(config.getJsonObject("db").getString("url"))).using(vertx).build();
    this.events = new EventRecorder(vertx, Addresses.USER_EVENTS);
  }

  public static JsonObject config(JsonObject overrides) {
    JsonObject config = ConfigLoader.defaults();
    config.getJsonObject("http").put("port", 0).put("instances", 2);
    config.put("devMode", "on");
    config.getJsonObject("db").put("url", TestBackends.newDatabase()).put("poolSize", 4);
    config.getJsonObject("redis").put("url", TestBackends.redisUrl()).put("poolSize", 4);
    config.getJsonObject("auth").put("jwtSecret", SECRET);
    config.getJsonObject("gateway").put("sweepMillis", 50);
    config.getJsonObject("presence").put("sweepMillis", 50).put("bulkSeconds", 1);
    config.getJsonObject("calls").put("sweepMillis", 50);
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
    vertx.deployVerticle(new MainVerticle(clock), new DeploymentOptions().setConfig(config))
        .await();
    int port = (Integer) vertx.sharedData().getLocalMap(ApiVerticle.NODE_MAP).get(ApiVerticle.HTTP_PORT_KEY);
    return new TestServer(vertx, config, port);
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

  public WsClient socket(String userId) {
    return WsClient.connect(vertx, port, token(userId));
  }

  public JsonObject config() {
    return config;
  }

  public HttpResponse<Buffer> call(HttpMethod method, String path, String token, Object body) {
    var request = client.request(method, path).timeout(20_000);
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

  /** Runs a query against the server's database and returns its rows as JSON. */
  public List<JsonObject> rows(String query, Object... params) {
    List<JsonObject> out = new ArrayList<>();
    for (Row r : sql.preparedQuery(query).execute(Tuple.wrap(List.of(params))).await()) {
      out.add(r.toJson());
    }
    return out;
  }
}
