package io.convene.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convene.config.AppConfig;
import io.convene.config.ConfigException;
import io.convene.config.ConfigLoader;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** {@code console.enabled}: auto follows dev mode; on and off are explicit. */
class ConsoleConfigTest {
  private static AppConfig config(String devMode, String console) {
    JsonObject json = ConfigLoader.defaults();
    json.put("devMode", devMode);
    json.getJsonObject("auth").put("jwtSecret", "0123456789abcdef0123456789abcdef");
    json.getJsonObject("livekit").put("apiSecret", "livekit-secret");
    json.getJsonObject("auth").put("issuer", "https://app.example").put("audience", "convene");
    if (console != null) {
      json.getJsonObject("console").put("enabled", console);
    }
    return AppConfig.from(json);
  }

  @Test
  void autoIsOnExactlyInDevMode() {
    assertThat(config("on", null).console().enabled()).isTrue();
    assertThat(config("off", null).console().enabled()).isFalse();
    assertThat(config("on", "auto").console().enabled()).isTrue();
    assertThat(config("off", "auto").console().enabled()).isFalse();
  }

  @Test
  void onAndOffOverrideDevMode() {
    assertThat(config("off", "on").console().enabled()).isTrue();
    assertThat(config("on", "off").console().enabled()).isFalse();
  }

  @Test
  void anythingElseStopsTheStartNamingTheKey() {
    assertThatThrownBy(() -> config("on", "yes"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("console.enabled");
  }

  @Test
  void theEnvironmentVariableIsConsoleEnabled() {
    JsonObject loaded = ConfigLoader.load(null, Map.of("CONVENE_CONSOLE_ENABLED", "off"), new Properties());
    assertThat(loaded.getJsonObject("console").getString("enabled")).isEqualTo("off");
  }
}
