package io.convene.bench;

import io.convene.auth.DevTokens;
import io.convene.client.ConveneSocket;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * The load generator: drives a running Convene (one node or several) through real sockets and REST,
 * from its own JVM, open-loop at a fixed rate, after a warm-up, and reports latency percentiles
 * (HdrHistogram) and throughput. Sockets speak the protocol through {@link ConveneSocket}, the client
 * the integration tests use. Usage (see docs/benchmarks.md):
 *
 * <pre>java -jar target/convene-bench.jar SCENARIO [--key=value ...]</pre>
 *
 * Scenarios: idle, presence, ringing, rest, fanout, chat, storm-ring, storm-presence, reconnect. Common options: {@code --urls} (comma-separated
 * base URLs, clients spread over them), {@code --secret} (the server's HS256 secret) or {@code --dev-secret}
 * (a dev-mode server's key; default the one in ~/.convene), {@code --duration} and {@code --warmup} (seconds), {@code --rate} (per second).
 * The jar is built beside the server's and takes Vert.x and the token signer from it
 * ({@code Class-Path: convene.jar}).
 */
public final class Bench {
  private final Map<String, String> opts;
  private final Vertx vertx;
  private final List<URI> urls;
  private final WebClient http;
  private final WebSocketClient ws;
  private final DevTokens tokens;
  private final Map<String, String> issued = new ConcurrentHashMap<>();
  private final String run = Long.toString(System.currentTimeMillis() % 1_000_000, 36);
  /** Passed for actions of the warm-up: their latency is not recorded. (nanoTime may be negative.) */
  private static final long WARMUP = Long.MIN_VALUE;

  private Bench(Map<String, String> opts) throws Exception {
    this.opts = opts;
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(Integer.parseInt(opt("loops", "2"))));
    this.urls = new ArrayList<>();
    for (String u : opt("urls", "http://127.0.0.1:8080").split(",")) {
      urls.add(URI.create(u.trim()));
    }
    this.http = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true),
        new io.vertx.core.http.PoolOptions().setHttp1MaxSize(intOpt("connections", 64)));
    // Browsers and Node's ws offer permessage-deflate on every socket; so does the generator (--deflate=false: not).
    this.ws = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(100_000)
        .setConnectTimeout(60_000).setTryUsePerMessageCompression(Boolean.parseBoolean(opt("deflate", "true"))));
    // the host app's secret, or else the dev-mode key of a server in dev mode
    this.tokens = opts.containsKey("secret") ? new DevTokens(vertx, opts.get("secret"))
        : DevTokens.forDevMode(vertx, opts.containsKey("dev-secret") ? opts.get("dev-secret")
            : Files.readString(Path.of(System.getProperty("user.home"), ".convene", "dev-jwt-secret")).trim());
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      System.err.println("usage: java -jar convene-bench.jar idle|presence|ringing|rest|fanout|chat|storm-ring|storm-presence"
          + "|reconnect [--key=value ...]");
      System.err.println("(options and examples in docs/benchmarks.md)");
      System.exit(2);
    }
    Map<String, String> opts = new HashMap<>();
    for (int i = 1; i < args.length; i++) {
      String a = args[i].replaceFirst("^--", "");
      int eq = a.indexOf('=');
      opts.put(eq < 0 ? a : a.substring(0, eq), eq < 0 ? "true" : a.substring(eq + 1));
    }
    Bench bench = new Bench(opts);
    try {
      switch (args[0]) {
        case "idle" -> bench.idle();
        case "hold" -> bench.holdForParent();
        case "presence" -> bench.presence();
        case "ringing" -> bench.ringing();
        case "rest" -> bench.rest();
        case "fanout" -> bench.fanout();
        case "chat" -> bench.chat();
        case "storm-ring" -> bench.stormRing();
        case "storm-presence" -> bench.stormPresence();
        case "reconnect" -> bench.reconnect();
        default -> throw new IllegalArgumentException("unknown scenario " + args[0]);
      }
    } finally {
      bench.vertx.close().await();
    }
  }

  private String opt(String key, String fallback) {
    return opts.getOrDefault(key, fallback);
  }

  private int intOpt(String key, int fallback) {
    return Integer.parseInt(opt(key, String.valueOf(fallback)));
  }

  private String user(String kind, int i) {
    return "bench-" + run + "-" + kind + "-" + i;
  }

  /** One token per user, minted once: signing is the generator's cost, not the server's. */
  private String token(String userId) {
    return issued.computeIfAbsent(userId, id -> tokens.mint(id, id, List.of(), 24 * 3600));
  }

  // ---- plumbing -------------------------------------------------------------------------------

  /** A socket that hands every frame to {@code onFrame}. Sockets are spread over the URLs. */
  private Future<ConveneSocket> socket(String userId, int index, Consumer<JsonObject> onFrame) {
    return socket(userId, index, "/ws", onFrame);
  }

  private Future<ConveneSocket> socket(String userId, int index, String path, Consumer<JsonObject> onFrame) {
    URI u = urls.get(index % urls.size());
    return ConveneSocket.connect(ws, u.getHost(), u.getPort(), path, token(userId), onFrame);
  }

  /** Opens sockets in waves, so the server's accept queue is not the thing measured. */
  private List<ConveneSocket> sockets(int count, java.util.function.IntFunction<String> userOf,
      java.util.function.IntFunction<Consumer<JsonObject>> handlerOf) {
    List<ConveneSocket> out = new ArrayList<>();
    int wave = intOpt("wave", 500);
    for (int from = 0; from < count; from += wave) {
      List<Future<ConveneSocket>> batch = new ArrayList<>();
      for (int i = from; i < Math.min(count, from + wave); i++) {
        batch.add(socket(userOf.apply(i), i, handlerOf.apply(i)));
      }
      out.addAll(Future.all(batch).await().list());
    }
    return out;
  }

  private Future<JsonObject> post(int index, String path, String token, JsonObject body) {
    URI u = urls.get(index % urls.size());
    var req = http.post(u.getPort(), u.getHost(), path).bearerTokenAuthentication(token);
    return (body == null ? req.send() : req.sendJsonObject(body)).map(r -> {
      if (r.statusCode() >= 300) {
        throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.bodyAsString());
      }
      return r.bodyAsString() == null || r.bodyAsString().isEmpty() ? new JsonObject() : r.bodyAsJsonObject();
    });
  }

  private Future<JsonObject> get(int index, String path, String token) {
    URI u = urls.get(index % urls.size());
    return http.get(u.getPort(), u.getHost(), path).bearerTokenAuthentication(token).send().map(r -> {
      if (r.statusCode() >= 300) {
        throw new IllegalStateException(path + " answered " + r.statusCode());
      }
      return r.bodyAsJsonObject() == null ? new JsonObject() : r.bodyAsJsonObject();
    });
  }

  /**
   * A full collection in the server before its heap is read, so heap figures are what the server
   * retains: {@code jcmd <pid> GC.run} on {@code --server-pid} (the node behind the first URL, on this
   * machine, run by the same user). Without that option the heap is read as it is, garbage included.
   */
  private void collectServerGarbage() throws IOException, InterruptedException {
    String pid = opts.get("server-pid");
    if (pid == null) {
      return;
    }
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p = new ProcessBuilder(Files.isExecutable(jcmd) ? jcmd.toString() : "jcmd", pid, "GC.run")
        .redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("jcmd " + pid + " GC.run failed: " + output.trim());
    }
  }

  private Map<String, Long> metrics(URI u) {
    String text = http.get(u.getPort(), u.getHost(), "/metrics").send().await().bodyAsString();
    Map<String, Long> out = new HashMap<>();
    for (String line : text.split("\n")) {
      // samples without labels only; Prometheus writes values as doubles ("1.0", "1.2E8")
      if (!line.startsWith("#") && line.contains(" ") && !line.contains("{")) {
        out.put(line.substring(0, line.indexOf(' ')),
            (long) Double.parseDouble(line.substring(line.indexOf(' ') + 1).trim()));
      }
    }
    return out;
  }

  /** How fast and how long a scenario runs: {@code --rate}, {@code --warmup} and {@code --duration}. */
  private record Pace(int rate, int warmupSeconds, int seconds) {}

  /** The pace given on the command line, with a scenario's defaults. */
  private Pace pace(int rate, int seconds, int warmupSeconds) {
    return new Pace(intOpt("rate", rate), intOpt("warmup", warmupSeconds), intOpt("duration", seconds));
  }

  /**
   * Runs {@code action} open-loop at the pace's rate for the warm-up and then the measured duration,
   * on a fixed schedule whatever the answers take, so queueing shows in latency. The action gets the
   * moment it was due ({@link #WARMUP} during the warm-up).
   */
  private long openLoop(Pace pace, java.util.function.LongConsumer action) throws Exception {
    int rate = pace.rate();
    int warmupSeconds = pace.warmupSeconds();
    int seconds = pace.seconds();
    long intervalNanos = 1_000_000_000L / rate;
    long total = (long) rate * (warmupSeconds + seconds);
    long start = System.nanoTime();
    AtomicLong issued = new AtomicLong();
    CountDownLatch done = new CountDownLatch(1);
    vertx.setPeriodic(1, id -> {
      long due = Math.min(total, (System.nanoTime() - start) / intervalNanos + 1);
      while (issued.get() < due) {
        long n = issued.getAndIncrement();
        action.accept(n < (long) rate * warmupSeconds ? WARMUP : start + n * intervalNanos);
      }
      if (issued.get() >= total) {
        vertx.cancelTimer(id);
        done.countDown();
      }
    });
    done.await(warmupSeconds + seconds + 60L, TimeUnit.SECONDS);
    return total;
  }

  private static void report(String name, Histogram h, Pace pace) {
    double seconds = pace.seconds();
    System.out.printf("%-28s n=%-8d rate=%9.1f/s  p50=%7.2f ms  p99=%7.2f ms  p99.9=%7.2f ms  max=%7.2f ms%n", name,
        h.getTotalCount(), h.getTotalCount() / seconds, h.getValueAtPercentile(50) / 1000.0,
        h.getValueAtPercentile(99) / 1000.0, h.getValueAtPercentile(99.9) / 1000.0, h.getMaxValue() / 1000.0);
  }

  private static Histogram histogram() {
    return new Histogram(60_000_000L, 3);
  }

  private static void record(Histogram h, long startNanos) {
    if (startNanos != WARMUP) {
      synchronized (h) {
        h.recordValue(Math.max(0, (System.nanoTime() - startNanos) / 1000));
      }
    }
  }

  // ---- scenarios ------------------------------------------------------------------------------

  /**
   * N sockets (users with several devices) heartbeating; server heap and RSS per connection, from the
   * first node's {@code /metrics} before and after, each read after a full GC when {@code --server-pid}
   * is given. With {@code --processes=P}, P-1 helper JVMs ({@code hold}) open their share, since one
   * process may hold only as many sockets as its file limit allows.
   */
  private void idle() throws Exception {
    int n = intOpt("sockets", 1000);
    int processes = intOpt("processes", 1);
    int share = n / processes;
    URI first = urls.get(0);
    if (!opts.containsKey("server-pid")) {
      System.err.println("idle: no --server-pid, so the heap is read without a full GC first (garbage included)");
    }
    collectServerGarbage();
    Map<String, Long> before = metrics(first);
    List<Process> helpers = new ArrayList<>();
    for (int p = 1; p < processes; p++) {
      List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
          "-cp", System.getProperty("java.class.path"), Bench.class.getName(), "hold", "--sockets=" + share));
      opts.forEach((k, v) -> {
        if (!k.equals("sockets") && !k.equals("processes")) {
          cmd.add("--" + k + "=" + v);
        }
      });
      helpers.add(new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start());
    }
    try {
      int opened = hold(n - share * (processes - 1));
      for (Process helper : helpers) {
        String line = new java.io.BufferedReader(new java.io.InputStreamReader(helper.getInputStream())).readLine();
        if (line == null || !line.startsWith("ready ")) {
          throw new IllegalStateException("a helper failed: " + line);
        }
        opened += Integer.parseInt(line.substring("ready ".length()).trim());
      }
      Thread.sleep(intOpt("settle", 10) * 1000L);
      collectServerGarbage();
      Map<String, Long> after = metrics(first);
      long heap = after.get("jvm_memory_heap_used_bytes") - before.get("jvm_memory_heap_used_bytes");
      long rss = after.get("process_resident_memory_bytes") - before.get("process_resident_memory_bytes");
      long onNode = after.get("convene_sockets_open") - before.get("convene_sockets_open");
      System.out.printf("idle: %d sockets from %d processes (%d on the first node), heap +%.1f MiB (%.1f KiB/socket),"
              + " RSS +%.1f MiB (%.1f KiB/socket)%n", opened, processes, onNode, heap / 1048576.0,
          heap / 1024.0 / Math.max(1, onNode), rss / 1048576.0, rss / 1024.0 / Math.max(1, onNode));
    } finally {
      helpers.forEach(Process::destroy);
    }
  }

  /** Opens {@code count} heartbeating sockets (two devices per user by default); returns how many. */
  private int hold(int count) {
    int devices = intOpt("devices", 2);
    List<ConveneSocket> open = sockets(count, i -> user("idle", i / devices), i -> f -> { });
    long heartbeat = intOpt("heartbeatSeconds", 30) * 1000L;
    AtomicInteger beat = new AtomicInteger();
    vertx.setPeriodic(heartbeat / Math.max(1, count / 100 + 1), id -> {
      for (int k = 0; k < 100 && !open.isEmpty(); k++) {
        open.get(Math.floorMod(beat.getAndIncrement(), open.size())).request("presence:heartbeat", null);
      }
    });
    return open.size();
  }

  /** A helper of {@link #idle}: holds its sockets until its parent closes its input. */
  private void holdForParent() throws Exception {
    System.out.println("ready " + hold(intOpt("sockets", 1000)));
    System.out.flush();
    while (System.in.read() >= 0) {
      // held until the parent ends
    }
  }

  /**
   * Targets that go online and offline at a set rate (each target toggles every targets/rate seconds,
   * so run the server with a short presence grace to turn every disconnect into a change); watchers
   * subscribe to blocks of 500 targets, {@code --perBlock} watchers each. Measures connect → the
   * watchers' {@code presence:update} online.
   */
  private void presence() throws Exception {
    int targets = intOpt("targets", 3000);
    int perBlock = intOpt("perBlock", 2);
    Pace pace = pace(200, 20, 5);
    int blocks = (targets + 499) / 500;
    Histogram h = histogram();
    Map<String, Long> changedAt = new ConcurrentHashMap<>();
    AtomicLong updates = new AtomicLong();
    List<ConveneSocket> ws = sockets(blocks * perBlock, i -> user("watcher", i), i -> f -> {
      if ("presence:update".equals(f.getString("type"))) {
        updates.incrementAndGet();
        if ("online".equals(f.getJsonObject("data").getString("status"))) {
          Long t0 = changedAt.get(f.getJsonObject("data").getString("userId"));
          if (t0 != null) {
            record(h, t0);
          }
        }
      }
    });
    for (int w = 0; w < ws.size(); w++) {
      int block = w % blocks;
      JsonArray ids = new JsonArray();
      for (int t = block * 500; t < Math.min(targets, (block + 1) * 500); t++) {
        ids.add(user("target", t));
      }
      ws.get(w).request("presence:subscribe", new JsonObject().put("userIds", ids));
    }
    ConveneSocket[] live = new ConveneSocket[targets];
    AtomicInteger next = new AtomicInteger();
    long total = openLoop(pace, due -> {
      int t = Math.floorMod(next.getAndIncrement(), targets);
      String id = user("target", t);
      if (live[t] != null) {
        live[t].close();
        live[t] = null;
      } else {
        changedAt.put(id, due);
        socket(id, t, f -> { }).onSuccess(s -> live[t] = s);
      }
    });
    Thread.sleep(2000);
    report("presence connect→update", h, pace);
    System.out.printf("presence: %d targets in %d blocks x %d watchers, %d changes at %d/s, %d updates received%n",
        targets, blocks, perBlock, total, pace.rate(), updates.get());
  }

  /** Calls at a set rate between online pairs: request → call:incoming, accept → call:accepted. */
  private void ringing() throws Exception {
    int pairs = intOpt("pairs", 400);
    Pace pace = pace(50, 20, 5);
    Histogram incoming = histogram();
    Histogram accepted = histogram();
    Map<String, Long> placed = new ConcurrentHashMap<>();
    Map<String, Long> acceptedAt = new ConcurrentHashMap<>();
    Map<String, Boolean> measured = new ConcurrentHashMap<>();
    ConveneSocket[] callees = new ConveneSocket[pairs];
    sockets(pairs, i -> user("caller", i), i -> f -> {
      if ("call:accepted".equals(f.getString("type"))) {
        String call = f.getJsonObject("data").getString("meetingId");
        Long t1 = acceptedAt.remove(call);
        if (t1 != null && measured.containsKey(call)) {
          record(accepted, t1);
        }
        URI u = urls.get(i % urls.size());
        http.delete(u.getPort(), u.getHost(), "/api/calls/" + call).bearerTokenAuthentication(token(user("caller", i))).send();
      }
    });
    List<ConveneSocket> cs = sockets(pairs, i -> user("callee", i), i -> f -> {
      if ("call:incoming".equals(f.getString("type"))) {
        String call = f.getJsonObject("data").getString("meetingId");
        Long t0 = placed.remove(f.getJsonObject("data").getString("callerId"));
        if (t0 != null && t0 != WARMUP) {
          record(incoming, t0);
          measured.put(call, true);
        }
        acceptedAt.put(call, System.nanoTime());
        callees[i].request("call:accept", new JsonObject().put("meetingId", call));
      }
    });
    for (int i = 0; i < pairs; i++) {
      callees[i] = cs.get(i);
    }
    AtomicInteger next = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    openLoop(pace, due -> {
      int p = Math.floorMod(next.getAndIncrement(), pairs);
      String caller = user("caller", p);
      placed.put(caller, due);
      post(p, "/api/calls/instant", token(caller), new JsonObject().put("participantIds",
          new JsonArray().add(user("callee", p)))).onFailure(err -> failed.incrementAndGet());
    });
    Thread.sleep(3000);
    report("ring request→call:incoming", incoming, pace);
    report("accept→call:accepted", accepted, pace);
    System.out.printf("ringing: %d pairs at %d calls/s, %d requests failed%n", pairs, pace.rate(), failed.get());
  }

  /**
   * Meeting create (10 invitees), list, and join-token issuance at a set rate each. Meetings are
   * shaped like a booking site's: an hour long, on the hour, spread over the 30 days after tomorrow,
   * invitees drawn from {@code --people} users (so no one has hundreds of meetings at once).
   */
  private void rest() throws Exception {
    Pace pace = pace(200, 15, 5);
    int owners = intOpt("owners", 50);
    int people = intOpt("people", 200_000);
    // --slots=1 puts every meeting in the same hour (hot invitees), the default spreads them over 30 days
    int slots = intOpt("slots", 30 * 24);
    Instant firstSlot = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.HOURS).plus(java.time.Duration.ofDays(1));
    List<String> created = java.util.Collections.synchronizedList(new ArrayList<>());
    for (String phase : opt("phases", "create,list,join").split(",")) {
      Histogram h = histogram();
      AtomicInteger failed = new AtomicInteger();
      AtomicInteger next = new AtomicInteger();
      openLoop(pace, due -> {
        int i = next.getAndIncrement();
        String owner = user("owner", i % owners);
        Future<JsonObject> f = switch (phase) {
          case "create" -> {
            JsonArray invitees = new JsonArray();
            for (int k = 0; k < 10; k++) {
              invitees.add(user("invitee", Math.floorMod(i * 7919 + k * 104_729, people)));
            }
            Instant start = firstSlot.plus(java.time.Duration.ofHours(Math.floorMod(i * 31, slots)));
            yield post(i, "/api/meetings", token(owner), new JsonObject().put("title", "Bench " + i)
                .put("startTime", start.toString()).put("endTime", start.plusSeconds(3600).toString())
                .put("participantIds", invitees))
                .onSuccess(m -> created.add(m.getString("meetingId") + " " + owner));
          }
          case "list" -> get(i, "/api/meetings?filter=upcoming&limit=20", token(owner));
          default -> {
            String[] m = created.get(i % created.size()).split(" ");
            yield post(i, "/api/meetings/" + m[0] + "/join", token(m[1]), null);
          }
        };
        f.onSuccess(v -> record(h, due)).onFailure(err -> failed.incrementAndGet());
      });
      Thread.sleep(2000);
      report("rest " + phase, h, pace);
      if (failed.get() > 0) {
        System.out.println("  failed: " + failed.get());
      }
    }
  }

  /** One meeting with many participants online; the owner changes it at a set rate; deliveries/s. */
  private void fanout() throws Exception {
    int participants = intOpt("participants", 500);
    Pace pace = pace(20, 15, 3);
    String owner = user("host", 0);
    JsonArray invitees = new JsonArray();
    for (int i = 0; i < participants; i++) {
      invitees.add(user("member", i));
    }
    String id = post(0, "/api/meetings", token(owner), new JsonObject().put("title", "Fan-out")
        .put("startTime", Instant.now().plusSeconds(60).toString()).put("endTime", Instant.now().plusSeconds(7200).toString())
        .put("participantIds", invitees)).await().getString("meetingId");
    Histogram h = histogram();
    Map<String, Long> sentAt = new ConcurrentHashMap<>();
    AtomicLong deliveries = new AtomicLong();
    sockets(participants, i -> user("member", i), i -> f -> {
      if ("meeting:updated".equals(f.getString("type"))) {
        Long t0 = sentAt.get(f.getJsonObject("data").getString("title"));
        if (t0 != null && t0 != WARMUP) {
          deliveries.incrementAndGet();
          record(h, t0);
        }
      }
    });
    AtomicInteger next = new AtomicInteger();
    openLoop(pace, due -> {
      String title = "Fan-out " + next.getAndIncrement();
      sentAt.put(title, due);
      http.patch(urls.get(0).getPort(), urls.get(0).getHost(), "/api/meetings/" + id).bearerTokenAuthentication(token(owner))
          .sendJsonObject(new JsonObject().put("title", title));
    });
    Thread.sleep(3000);
    report("fan-out change→each frame", h, pace);
    System.out.printf("fan-out: %d participants, %d changes/s, %.0f deliveries/s measured%n", participants, pace.rate(),
        deliveries.get() / (double) pace.seconds());
  }

  /**
   * Chat fan-out: a meeting in progress with {@code --participants} members online (default 500), each
   * with one socket; {@code --rate} messages/s (default 50) sent with {@code chat:send} by the members in
   * turn (at most one message a second each with the defaults, under the per-user chat limit). Latency:
   * from the moment a message was due to each recipient's {@code chat:message}; and to the sender's ack
   * (stored in PostgreSQL). Every other member must get every message exactly once.
   */
  private void chat() throws Exception {
    int participants = intOpt("participants", 500);
    Pace pace = pace(50, 20, 5);
    String owner = user("host", 0);
    JsonArray invitees = new JsonArray();
    for (int i = 0; i < participants; i++) {
      invitees.add(user("member", i));
    }
    String id = post(0, "/api/meetings", token(owner), new JsonObject().put("title", "Chat fan-out")
        .put("startTime", Instant.now().plusSeconds(60).toString()).put("endTime", Instant.now().plusSeconds(7200).toString())
        .put("participantIds", invitees)).await().getString("meetingId");
    post(0, "/api/meetings/" + id + "/start", token(owner), null).await();
    Histogram delivery = histogram();
    Histogram acked = histogram();
    Map<String, Long> sentAt = new ConcurrentHashMap<>();
    AtomicLong deliveries = new AtomicLong();
    AtomicLong duplicates = new AtomicLong();
    Map<String, Boolean> seen = new ConcurrentHashMap<>();
    List<ConveneSocket> sockets = sockets(participants, i -> user("member", i), i -> f -> {
      if ("chat:message".equals(f.getString("type"))) {
        String text = f.getJsonObject("data").getString("text");
        if (seen.put(i + "/" + text, Boolean.TRUE) != null) {
          duplicates.incrementAndGet();
        }
        Long t0 = sentAt.get(text);
        if (t0 != null && t0 != WARMUP) {
          deliveries.incrementAndGet();
          record(delivery, t0);
        }
      }
    });
    AtomicInteger next = new AtomicInteger();
    AtomicLong failed = new AtomicLong();
    long measured = (long) pace.rate() * pace.seconds();
    openLoop(pace, due -> {
      int n = next.getAndIncrement();
      String text = "chat " + run + " " + n;
      sentAt.put(text, due);
      sockets.get(n % participants).request("chat:send", new JsonObject().put("meetingId", id).put("text", text)
              .put("clientMsgId", "b" + n))
          .onSuccess(ack -> record(acked, due))
          .onFailure(err -> failed.incrementAndGet());
    });
    Thread.sleep(3000);
    report("chat send→ack (stored)", acked, pace);
    report("chat send→each recipient", delivery, pace);
    long expected = measured * (participants - 1);
    System.out.printf("chat: %d participants online, %d messages/s: %.0f deliveries/s, %d of %d expected deliveries,"
            + " %d duplicates, %d sends failed%n", participants, pace.rate(), deliveries.get() / (double) pace.seconds(),
        deliveries.get(), expected, duplicates.get(), failed.get());
  }

  /** Opens {@code count} fresh sockets in waves of {@code --batch}, each wave once the previous is up. */
  private Future<Void> connectInWaves(int count, int batch, java.util.function.IntFunction<String> userOf,
      java.util.function.IntFunction<Consumer<JsonObject>> handlerOf, ConveneSocket[] into) {
    Future<Void> chain = Future.succeededFuture();
    for (int from = 0; from < count; from += batch) {
      int f = from;
      chain = chain.compose(v -> {
        List<Future<ConveneSocket>> wave = new ArrayList<>();
        for (int i = f; i < Math.min(count, f + batch); i++) {
          int k = i;
          wave.add(socket(userOf.apply(i), i, handlerOf.apply(i)).onSuccess(sock -> into[k] = sock));
        }
        return Future.join(wave).mapEmpty();
      });
    }
    return chain;
  }

  /**
   * A connect storm while calls ring: {@code --callees} fresh users connect in waves of {@code --batch}
   * while one caller rings callee i at the moment it is due ({@code --rate} calls/s from the start); a
   * callee not online yet is rung as soon as its welcome arrives. Latency: from the moment the call was
   * due to the callee's {@code call:incoming}; split into the request's own time (sent → frame) and how
   * late callees came online. Every call must ring.
   */
  private void stormRing() throws Exception {
    int callees = intOpt("callees", 3000);
    int batch = intOpt("batch", 200);
    int rate = intOpt("rate", 200);
    Histogram h = histogram();
    Histogram posted = histogram();
    Histogram late = histogram();
    long[] due = new long[callees];
    long[] sent = new long[callees];
    java.util.concurrent.atomic.AtomicIntegerArray online = new java.util.concurrent.atomic.AtomicIntegerArray(callees);
    java.util.concurrent.atomic.AtomicIntegerArray rung = new java.util.concurrent.atomic.AtomicIntegerArray(callees);
    AtomicInteger incoming = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    String caller = user("storm-caller", 0);
    socket(caller, 0, f -> { }).await();
    java.util.function.IntConsumer ring = i -> {
      if (rung.compareAndSet(i, 0, 1)) {
        sent[i] = System.nanoTime();
        post(i, "/api/calls/instant", token(caller), new JsonObject().put("participantIds",
            new JsonArray().add(user("storm-callee", i)))).onFailure(err -> failed.incrementAndGet());
      }
    };
    ConveneSocket[] sockets = new ConveneSocket[callees];
    long start = System.nanoTime() + 100_000_000L;
    for (int i = 0; i < callees; i++) {
      due[i] = start + i * (1_000_000_000L / rate);
    }
    connectInWaves(callees, batch, i -> user("storm-callee", i), i -> f -> {
      switch (f.getString("type")) {
        case "session:welcome" -> {
          online.set(i, 1);
          if (System.nanoTime() >= due[i]) {
            record(late, due[i]);
            ring.accept(i);
          }
        }
        case "call:incoming" -> {
          record(h, due[i]);
          record(posted, sent[i]);
          incoming.incrementAndGet();
        }
        default -> { }
      }
    }, sockets);
    AtomicInteger next = new AtomicInteger();
    CountDownLatch placed = new CountDownLatch(1);
    vertx.setPeriodic(1, id -> {
      long now = System.nanoTime();
      while (next.get() < callees && due[next.get()] <= now) {
        int i = next.getAndIncrement();
        if (online.get(i) == 1) {
          ring.accept(i);
        }
      }
      if (next.get() >= callees) {
        vertx.cancelTimer(id);
        placed.countDown();
      }
    });
    placed.await(callees / rate + 120L, TimeUnit.SECONDS);
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (incoming.get() + failed.get() < callees && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    Pace pace = new Pace(rate, 0, Math.max(1, callees / rate));
    report("storm ring due→call:incoming", h, pace);
    report("storm ring request→call:incoming", posted, pace);
    report("storm ring due→welcome (callees online after their call was due)", late, pace);
    System.out.printf("storm-ring: %d fresh callees in waves of %d, %d calls/s: %d rang, %d requests failed%n",
        callees, batch, rate, incoming.get(), failed.get());
  }

  /**
   * Fresh users connect at {@code --rate}/s ({@code --users} in all) while watchers, subscribed to them
   * in blocks of {@code --block} (250), wait for each to turn online. Latency: from the moment the
   * connect was due to each watcher's {@code presence:update}. Every update must arrive.
   */
  private void stormPresence() throws Exception {
    int users = intOpt("users", 6000);
    int block = intOpt("block", 250);
    int rate = intOpt("rate", 400);
    Histogram h = histogram();
    long[] due = new long[users];
    AtomicLong updates = new AtomicLong();
    int blocks = (users + block - 1) / block;
    List<ConveneSocket> watchers = sockets(blocks, i -> user("storm-watcher", i), w -> f -> {
      if ("presence:update".equals(f.getString("type")) && "online".equals(f.getJsonObject("data").getString("status"))) {
        String id = f.getJsonObject("data").getString("userId");
        int i = Integer.parseInt(id.substring(id.lastIndexOf('-') + 1));
        if (due[i] != 0) {
          record(h, due[i]);
          updates.incrementAndGet();
        }
      }
    });
    List<Future<JsonObject>> subscribed = new ArrayList<>();
    for (int w = 0; w < blocks; w++) {
      JsonArray ids = new JsonArray();
      for (int t = w * block; t < Math.min(users, (w + 1) * block); t++) {
        ids.add(user("storm-user", t));
      }
      subscribed.add(watchers.get(w).request("presence:subscribe", new JsonObject().put("userIds", ids)));
    }
    Future.all(subscribed).await();
    AtomicInteger next = new AtomicInteger();
    Pace pace = new Pace(rate, 0, Math.max(1, users / rate));
    openLoop(new Pace(rate, 0, users / rate), t -> {
      int i = next.getAndIncrement();
      if (i < users) {
        due[i] = t;
        socket(user("storm-user", i), i, f -> { });
      }
    });
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (updates.get() < users && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    report("storm presence due→update", h, pace);
    System.out.printf("storm-presence: %d fresh users at %d/s, watchers in blocks of %d: %d of %d updates delivered%n",
        users, rate, block, updates.get(), users);
  }

  /**
   * A reconnect storm: {@code --sockets} users connected and watched (blocks of 250), then every socket
   * drops and reconnects within a second. Measures until every socket has its welcome again, and counts
   * the presence updates the watchers got (with the default presence grace, a user who is back in time
   * never shows offline: no update at all is the expected outcome). By default each socket says goodbye
   * (1000) and connects afresh; with {@code --resume=true} each drops as a network does (closed with
   * 4000, not a goodbye: its session is kept) and comes back with its resume token, and must get
   * {@code session:resumed}.
   */
  private void reconnect() throws Exception {
    int n = intOpt("sockets", 10_000);
    int block = 250;
    int blocks = (n + block - 1) / block;
    AtomicLong offline = new AtomicLong();
    AtomicLong online = new AtomicLong();
    List<ConveneSocket> watchers = sockets(blocks, i -> user("rc-watcher", i), w -> f -> {
      if ("presence:update".equals(f.getString("type"))) {
        (("offline".equals(f.getJsonObject("data").getString("status"))) ? offline : online).incrementAndGet();
      }
    });
    boolean resume = Boolean.parseBoolean(opt("resume", "false"));
    String[] resumeTokens = new String[n];
    long[] lastSeq = new long[n];
    List<ConveneSocket> users = sockets(n, i -> user("rc-user", i), i -> f -> {
      if ("session:welcome".equals(f.getString("type"))) {
        resumeTokens[i] = f.getJsonObject("data").getString("resumeToken");
      }
      lastSeq[i] = Math.max(lastSeq[i], f.getLong("seq", 0L));
    });
    List<Future<JsonObject>> subscribed = new ArrayList<>();
    for (int w = 0; w < blocks; w++) {
      JsonArray ids = new JsonArray();
      for (int t = w * block; t < Math.min(n, (w + 1) * block); t++) {
        ids.add(user("rc-user", t));
      }
      subscribed.add(watchers.get(w).request("presence:subscribe", new JsonObject().put("userIds", ids)));
    }
    Future.all(subscribed).await();
    Thread.sleep(2000);
    long before = online.get();
    Map<String, Long> metricsBefore = metrics(urls.get(0));
    long start = System.nanoTime();
    Future.join(users.stream().map(s -> resume ? s.webSocket().close((short) 4000) : s.close()).toList()).await();
    CountDownLatch back = new CountDownLatch(n);
    AtomicLong notResumed = new AtomicLong();
    for (int i = 0; i < n; i++) {
      String path = resume ? "/ws?resume=" + resumeTokens[i] + "&last_seq=" + lastSeq[i] : "/ws";
      socket(user("rc-user", i), i, path, f -> {
        String type = f.getString("type");
        if ("session:welcome".equals(type) || "session:resumed".equals(type)) {
          if (resume && "session:welcome".equals(type)) {
            notResumed.incrementAndGet();
          }
          back.countDown();
        }
      });
    }
    boolean all = back.await(60, TimeUnit.SECONDS);
    double seconds = (System.nanoTime() - start) / 1e9;
    Thread.sleep(intOpt("settle", 8) * 1000L);
    Map<String, Long> metricsAfter = metrics(urls.get(0));
    System.out.printf("reconnect%s: %d sockets dropped and reconnected; all back: %s in %.2f s; watchers saw %d offline"
            + " and %d online updates; durable duplicates dropped %d%s%n", resume ? " (resume)" : "", n, all, seconds,
        offline.get(), online.get() - before, metricsAfter.getOrDefault("convene_events_duplicates_dropped_total", 0L)
            - metricsBefore.getOrDefault("convene_events_duplicates_dropped_total", 0L),
        resume ? "; not resumed " + notResumed.get() : "");
  }
}
