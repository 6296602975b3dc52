package io.convene.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** What {@link ConsoleRoutes} serves, and that it serves nothing when the console is off. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ConsoleRoutesIT {
  private Vertx on;
  private Vertx off;
  private TestServer withConsole;
  private TestServer withoutConsole;

  @BeforeAll
  void start() {
    on = Vertx.vertx();
    off = Vertx.vertx();
    withConsole = TestServer.start(on, Clock.systemUTC());
    withoutConsole = TestServer.start(off, Clock.systemUTC(), new JsonObject().put("console", new JsonObject().put("enabled", "off")));
  }

  @AfterAll
  void stop() {
    on.close().await();
    off.close().await();
  }

  @Test
  void consoleIsServedInDevModeWithTheClientUnderLib() {
    HttpResponse<Buffer> bare = WebClient.create(on, new WebClientOptions().setFollowRedirects(false))
        .get(withConsole.port, "127.0.0.1", "/console").send().await();
    assertThat(bare.statusCode()).isEqualTo(302);
    assertThat(bare.getHeader("Location")).isEqualTo("/console/");

    HttpResponse<Buffer> index = withConsole.get("/console/", null);
    assertThat(index.statusCode()).isEqualTo(200);
    assertThat(index.getHeader("Content-Type")).startsWith("text/html");
    assertThat(index.getHeader("Content-Security-Policy")).contains("default-src 'self'");
    assertThat(index.bodyAsString()).contains("<title>Convene console</title>");

    HttpResponse<Buffer> client = withConsole.get("/console/lib/client.js", null);
    assertThat(client.statusCode()).isEqualTo(200);
    assertThat(client.getHeader("Content-Type")).contains("javascript");
    assertThat(client.bodyAsString()).contains("export class ConveneClient");

    assertThat(withConsole.get("/console/settings.json", null).bodyAsJsonObject())
        .isEqualTo(new JsonObject().put("devMode", true));
    assertThat(withConsole.get("/console/no-such-file.js", null).statusCode()).isEqualTo(404);
  }

  @Test
  void anyInvitationLinkServesTheJoinPageUncachedAndWithoutReferrer() {
    HttpResponse<Buffer> page = withConsole.get("/join/inv_anything", null);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.getHeader("Content-Type")).startsWith("text/html");
    assertThat(page.getHeader("Cache-Control")).isEqualTo("no-store");
    assertThat(page.getHeader("Referrer-Policy")).isEqualTo("no-referrer");
    assertThat(page.bodyAsString()).contains("/console/join.js");
  }

  @Test
  void consoleOffServesNeitherConsoleNorJoinPage() {
    assertThat(withoutConsole.get("/console/", null).statusCode()).isEqualTo(404);
    assertThat(withoutConsole.get("/console/lib/client.js", null).statusCode()).isEqualTo(404);
    assertThat(withoutConsole.get("/join/inv_anything", null).statusCode()).isEqualTo(404);
    assertThat(withoutConsole.get("/health/live", null).statusCode()).isEqualTo(200);
  }
}
