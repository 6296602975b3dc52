package io.convene.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class ConfigTest {
  private static final String SECRET = "0123456789abcdef0123456789abcdef";

  @Test
  void environmentOverridesEveryKeyByItsDerivedName() {
    assertThat(ConfigLoader.envName("auth.jwksRefreshSeconds")).isEqualTo("CONVENE_AUTH_JWKS_REFRESH_SECONDS");
    JsonObject json = ConfigLoader.load(null, Map.of(
        "CONVENE_HTTP_PORT", "9090",
        "CONVENE_DB_URL", "postgresql://db.internal:5432/convene",
        "CONVENE_AUTH_JWT_SECRET", SECRET,
        "CONVENE_LIVEKIT_API_SECRET", "lk-secret"), new Properties());
    AppConfig cfg = AppConfig.from(json);
    assertThat(cfg.livekit().apiSecret()).isEqualTo("lk-secret");
    assertThat(cfg.http().port()).isEqualTo(9090);
    assertThat(cfg.db().embedded()).isFalse();
    assertThat(cfg.devMode()).as("auto is off with an external database").isFalse();
  }

  @Test
  void systemPropertiesWinOverEnvironment() {
    Properties sys = new Properties();
    sys.setProperty("convene.http.port", "7070");
    JsonObject json = ConfigLoader.load(null, Map.of("CONVENE_HTTP_PORT", "9090", "CONVENE_AUTH_JWT_SECRET", SECRET), sys);
    assertThat(AppConfig.from(json).http().port()).isEqualTo(7070);
  }

  @Test
  void invalidValuesFailNamingTheKey() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("CONVENE_HTTP_PORT", "eighty"), new Properties()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("http.port");
    assertThatThrownBy(() -> AppConfig.from(ConfigLoader.load(null,
            Map.of("CONVENE_HTTP_PORT", "70000", "CONVENE_AUTH_JWT_SECRET", SECRET), new Properties())))
        .isInstanceOf(ConfigException.class).hasMessageContaining("http.port");
    assertThatThrownBy(() -> AppConfig.from(ConfigLoader.load(null,
            Map.of("CONVENE_DB_URL", "mysql://x/y", "CONVENE_AUTH_JWT_SECRET", SECRET), new Properties())))
        .isInstanceOf(ConfigException.class).hasMessageContaining("db.url");
    assertThatThrownBy(() -> AppConfig.from(ConfigLoader.load(null,
            Map.of("CONVENE_DEV_MODE", "maybe", "CONVENE_AUTH_JWT_SECRET", SECRET), new Properties())))
        .isInstanceOf(ConfigException.class).hasMessageContaining("devMode");
    assertThatThrownBy(() -> AppConfig.from(ConfigLoader.load(null, Map.of("CONVENE_AUTH_JWT_SECRET", "short"), new Properties())))
        .isInstanceOf(ConfigException.class).hasMessageContaining("auth.jwtSecret");
  }

  @Test
  void liveKitSecretIsRequiredOutsideDevModeAndDefaultsInDevMode() {
    assertThatThrownBy(() -> AppConfig.from(ConfigLoader.load(null,
            Map.of("CONVENE_DB_URL", "postgresql://db/x", "CONVENE_AUTH_JWT_SECRET", SECRET), new Properties())))
        .isInstanceOf(ConfigException.class).hasMessageContaining("livekit.apiSecret");
    AppConfig dev = AppConfig.from(ConfigLoader.load(null, Map.of("CONVENE_AUTH_JWT_SECRET", SECRET), new Properties()));
    assertThat(dev.livekit().apiKey()).isEqualTo("devkey");
    assertThat(dev.livekit().apiSecret()).isEqualTo("secret");
  }

  @Test
  void aServerWithoutAnyWayToCheckTokensDoesNotStart() {
    assertThatThrownBy(() -> AppConfig.from(ConfigLoader.load(null, Map.of(), new Properties())))
        .isInstanceOf(ConfigException.class).hasMessageContaining("auth.jwtSecret");
  }

  @Test
  void devModeAutoFollowsTheEmbeddedDatabase() {
    assertThat(AppConfig.resolveDevMode("auto", true)).isTrue();
    assertThat(AppConfig.resolveDevMode("auto", false)).isFalse();
    assertThat(AppConfig.resolveDevMode("on", false)).isTrue();
    assertThat(AppConfig.resolveDevMode("off", true)).isFalse();
  }
}
