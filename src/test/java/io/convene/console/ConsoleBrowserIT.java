package io.convene.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.convene.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The web console and the guest page in real headless Chromium: a server on the real clock (rings,
 * presence grace and link windows run as in production), and {@code clients/js/test/browser/scenarios.mjs}
 * driving Chromium through playwright-core against it. The scenarios get tokens from dev mode's
 * {@code POST /dev/token}. Their output goes to this test's log; their screenshots to
 * {@code target/browser-screenshots/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class ConsoleBrowserIT {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final long SCENARIO_MINUTES = 5;

  private final Path base = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
  private Vertx vertx;
  private TestServer server;

  @BeforeAll
  void startServer() {
    vertx = Vertx.vertx();
    server = TestServer.start(vertx, Clock.systemUTC(), new JsonObject()
        // Short enough that the offline and unanswered-call scenarios take seconds, not the defaults' 5 and 30.
        .put("presence", new JsonObject().put("graceMillis", 1000))
        .put("calls", new JsonObject().put("ringSeconds", 10))
        .put("console", new JsonObject().put("enabled", "on")));
  }

  @AfterAll
  void stopServer() {
    vertx.close().await();
  }

  @Test
  void callsGuestsAndPresenceWorkInChromium() throws Exception {
    if (!Files.isExecutable(CHROMIUM)) {
      fail(CHROMIUM + " is missing: run scripts/install-browser.sh (it installs Debian's chromium and chromium-driver)");
    }
    if (!Files.isDirectory(base.resolve("clients/js/node_modules/playwright-core"))) {
      fail("playwright-core is not installed: run npm ci --prefix clients/js (mvn verify does it before the integration tests)");
    }
    Path screenshots = base.resolve("target/browser-screenshots");
    if (Files.isDirectory(screenshots)) {
      try (var old = Files.list(screenshots)) {
        for (Path png : old.filter(p -> p.toString().endsWith(".png")).toList()) {
          Files.delete(png);
        }
      }
    }
    Process node = new ProcessBuilder("node", "clients/js/test/browser/scenarios.mjs",
            "--base-url", "http://127.0.0.1:" + server.port,
            "--screenshots", screenshots.toString())
        .directory(base.toFile())
        .redirectErrorStream(true)
        .start();
    node.getOutputStream().close();
    StringBuilder output = new StringBuilder();
    Thread pump = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          System.out.println("[browser] " + line);
          synchronized (output) {
            output.append(line).append('\n');
          }
        }
      } catch (java.io.IOException e) {
        // the process went away; its exit code tells
      }
    }, "browser-scenarios-output");
    pump.start();
    if (!node.waitFor(SCENARIO_MINUTES, TimeUnit.MINUTES)) {
      node.destroyForcibly();
      fail("the browser scenarios did not finish within " + SCENARIO_MINUTES + " minutes");
    }
    pump.join(10_000);
    String log;
    synchronized (output) {
      log = output.toString();
    }
    assertThat(node.exitValue()).as("browser scenarios failed:\n%s", log).isZero();
    assertThat(log).contains("scenarios: 5 passed, 0 failed");
    assertThat(screenshots.resolve("a-alice-answered.png")).exists();
    assertThat(screenshots.resolve("b-guest-admitted.png")).exists();
    assertThat(screenshots.resolve("c-alice-sees-bob-offline.png")).exists();
    assertThat(screenshots.resolve("e-carol-missed.png")).exists();
  }
}
