package io.convene.testing;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The packaged server ({@code target/convene.jar}) as one more member of a test cluster, in a process of
 * its own, so a test can kill it with SIGKILL (no goodbye, no cleanup, whatever it was doing) or stop
 * it with SIGTERM, as an orchestrator does.
 */
public final class DoomedNode {
  private final Process process;
  private final int port;

  private DoomedNode(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts a node that joins the cluster of {@code config} (a {@link TestServer#config()}); {@code env} adds settings. */
  public static DoomedNode start(JsonObject config, Map<String, String> env) throws Exception {
    JsonObject cluster = config.getJsonObject("cluster");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "--add-modules", "java.se",
        "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED", "--add-opens", "java.base/java.lang=ALL-UNNAMED",
        "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens", "java.management/sun.management=ALL-UNNAMED",
        "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
        "-jar", Path.of("target", "convene.jar").toAbsolutePath().toString()));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    var vars = pb.environment();
    vars.remove("CONVENE_CONFIG");
    vars.put("CONVENE_CLUSTER_ENABLED", "true");
    vars.put("CONVENE_CLUSTER_NAME", cluster.getString("name"));
    vars.put("CONVENE_CLUSTER_MEMBERS", cluster.getString("members"));
    vars.put("CONVENE_CLUSTER_HAZELCAST_PORT", String.valueOf(cluster.getInteger("hazelcastPort")));
    vars.put("CONVENE_CLUSTER_HOST", "127.0.0.1");
    vars.put("CONVENE_CLUSTER_MEMBER_TIMEOUT_SECONDS", "5");
    vars.put("CONVENE_DB_URL", config.getJsonObject("db").getString("url"));
    vars.put("CONVENE_REDIS_URL", config.getJsonObject("redis").getString("url"));
    vars.put("CONVENE_REDIS_KEY_PREFIX", config.getJsonObject("redis").getString("keyPrefix"));
    vars.put("CONVENE_LIVEKIT_URL", config.getJsonObject("livekit").getString("url"));
    vars.put("CONVENE_LIVEKIT_API_KEY", config.getJsonObject("livekit").getString("apiKey"));
    vars.put("CONVENE_LIVEKIT_API_SECRET", config.getJsonObject("livekit").getString("apiSecret"));
    vars.put("CONVENE_HTTP_PORT", "0");
    vars.put("CONVENE_HTTP_INSTANCES", "1");
    vars.put("CONVENE_AUTH_JWT_SECRET", TestServer.SECRET);
    vars.put("CONVENE_DEV_MODE", "off");
    vars.put("CONVENE_AUTH_REQUIRE_ISSUER", "false");
    vars.put("CONVENE_LIMITS_ENABLED", "false");
    vars.put("CONVENE_DATA_DIR", Files.createTempDirectory("convene-doomed-").toString());
    vars.putAll(env);
    Process process = pb.start();
    CompletableFuture<Integer> port = new CompletableFuture<>();
    StringBuilder log = new StringBuilder();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          log.append(line).append('\n');
          if (line.startsWith("Convene is listening on ")) {
            port.complete(Integer.parseInt(line.substring(line.lastIndexOf(':') + 1).trim()));
          }
        }
        port.completeExceptionally(new AssertionError("the doomed node exited:\n" + log));
      } catch (IOException e) {
        port.completeExceptionally(e);
      }
    });
    reader.setDaemon(true);
    reader.start();
    try {
      return new DoomedNode(process, port.get(120, TimeUnit.SECONDS));
    } catch (Exception e) {
      process.destroyForcibly();
      throw e;
    }
  }

  /** Its HTTP port. */
  public int port() {
    return port;
  }

  /** SIGTERM: the node drains and stops. Completes with its exit code. */
  public CompletableFuture<Integer> terminate() {
    process.destroy();
    return process.onExit().thenApply(Process::exitValue);
  }

  /** SIGKILL, to it and every process under it. */
  public void kill() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
