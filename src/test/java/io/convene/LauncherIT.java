package io.convene;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import io.convene.testing.Api;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The packaged jar as a user runs it: zero configuration, embedded PostgreSQL and Redis in a data
 * directory, meetings kept across a clean stop and across a crash (kill -9) that leaves the embedded
 * servers behind.
 */
@Timeout(240)
class LauncherIT {
  private final HttpClient http = HttpClient.newHttpClient();
  private final Vertx vertx = Vertx.vertx();
  private final List<Process> started = new ArrayList<>();
  private Path dataDir;

  @AfterEach
  void cleanUp() {
    started.forEach(p -> p.destroyForcibly());
    started.forEach(p -> p.descendants().forEach(ProcessHandle::destroyForcibly));
    vertx.close().await();
  }

  @Test
  void zeroConfigServerKeepsMeetingsAcrossRestartAndCrash() throws Exception {
    dataDir = Files.createTempDirectory("convene-launcher-");
    int port = freePort();

    Process first = start(port);
    String meetingId = asLena(port).meeting("lena").title("Survives restarts")
        .from(Instant.parse("2030-01-15T10:00:00Z")).to(Instant.parse("2030-01-15T11:00:00Z")).createId();
    List<ProcessHandle> children = first.descendants().toList();
    assertThat(children).as("embedded PostgreSQL and Redis run as child processes").isNotEmpty();
    first.destroy();
    assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
    for (ProcessHandle child : children) {
      child.onExit().get(30, TimeUnit.SECONDS);
      assertThat(child.isAlive()).as("embedded service stopped with the server").isFalse();
    }

    Process second = start(port);
    asLena(port).get(meetingId, "lena");
    List<ProcessHandle> orphans = second.descendants().toList();
    second.destroyForcibly();
    second.waitFor(30, TimeUnit.SECONDS);
    assertThat(orphans.stream().anyMatch(ProcessHandle::isAlive)).as("kill -9 leaves the embedded servers behind").isTrue();

    Process third = start(port);
    assertThat(asLena(port).get(meetingId, "lena").getString("title")).isEqualTo("Survives restarts");
    for (ProcessHandle orphan : orphans) {
      orphan.onExit().get(30, TimeUnit.SECONDS);
    }
    third.destroy();
    assertThat(third.waitFor(60, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void invalidConfigurationFailsFastNamingTheKey() throws Exception {
    dataDir = Files.createTempDirectory("convene-launcher-");
    ProcessBuilder pb = command(freePort());
    pb.environment().put("CONVENE_HTTP_PORT", "not-a-port");
    pb.redirectErrorStream(true);
    Process p = pb.start();
    started.add(p);
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isNotZero();
    assertThat(output).contains("http.port");
  }

  private ProcessBuilder command(int port) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-jar", Path.of("target", "convene.jar").toAbsolutePath().toString());
    pb.environment().put("CONVENE_DATA_DIR", dataDir.toString());
    pb.environment().put("CONVENE_HTTP_PORT", String.valueOf(port));
    pb.environment().remove("CONVENE_CONFIG");
    return pb;
  }

  /** Starts the jar and waits for its start-up banner. */
  private Process start(int port) throws Exception {
    ProcessBuilder pb = command(port).redirectErrorStream(true);
    Process p = pb.start();
    started.add(p);
    CompletableFuture<Void> ready = new CompletableFuture<>();
    StringBuilder log = new StringBuilder();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          synchronized (log) {
            log.append(line).append('\n');
          }
          if (line.startsWith("Convene is listening on")) {
            ready.complete(null);
          }
        }
        ready.completeExceptionally(new AssertionError("server exited before it was ready:\n" + log));
      } catch (IOException e) {
        ready.completeExceptionally(e);
      }
    });
    reader.setDaemon(true);
    reader.start();
    ready.get(120, TimeUnit.SECONDS);
    return p;
  }

  private String devToken(int port, String user) throws Exception {
    HttpResponse<String> r = send(port, "POST", "/dev/token", null, new JsonObject().put("userId", user).encode());
    assertThat(r.statusCode()).isEqualTo(200);
    return new JsonObject(r.body()).getString("token");
  }

  /** The API of the server on {@code port} as Lena, with a token the server minted (dev mode). */
  private Api asLena(int port) throws Exception {
    String token = devToken(port, "lena");
    return Api.at(vertx, port, user -> token);
  }

  private HttpResponse<String> send(int port, String method, String path, String token, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", "application/json");
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
