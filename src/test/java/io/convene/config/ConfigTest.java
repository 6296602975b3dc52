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
        "CONVENE_AUTH_ISSUER", "https://app.example",
        "CONVENE_AUTH_AUDIENCE", "convene",
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
    JsonObject json = ConfigLoader.load(null, Map.of("CONVENE_HTTP_PORT", "9090", "CONVENE_AUTH_JWT_SECRET", SECRET,
        "CONVENE_DEV_MODE", "on"), sys);
    assertThat(AppConfig.from(json).http().port()).isEqualTo(7070);
  }

  @Test
  void invalidValuesFailNamingTheKey() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("CONVENE_HTTP_PORT", "eighty"), new Properties()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("http.port");
    assertThatThrownBy(() -> AppConfig.from(ConfigLoader.load(null,
            Map.of("CONVENE_HTTP_PORT", "70000", "CONVENE_AUTH_JWT_SECRET", SECRET, "CONVENE_DEV_MODE", "on"),
            new Properties())))
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
            Map.of("CONVENE_DB_URL", "postgresql://db/x", "CONVENE_AUTH_JWT_SECRET", SECRET, "CONVENE_AUTH_ISSUER", "i",
                "CONVENE_AUTH_AUDIENCE", "a"), new Properties())))
        .isInstanceOf(ConfigException.class).hasMessageContaining("livekit.apiSecret");
    AppConfig dev = AppConfig.from(ConfigLoader.load(null, Map.of("CONVENE_AUTH_JWT_SECRET", SECRET,
        "CONVENE_DEV_MODE", "on"), new Properties()));
    assertThat(dev.livekit().apiKey()).isEqualTo("devkey");
    assertThat(dev.livekit().apiSecret()).isEqualTo("secret");
  }

  @Test
  void aServerWithoutAnyWayToCheckTokensDoesNotStart() {
    assertThatThrownBy(() -> AppConfig.from(ConfigLoader.load(null, Map.of("CONVENE_DEV_MODE", "off",
            "CONVENE_LIVEKIT_API_SECRET", "lk"), new Properties())))
        .isInstanceOf(ConfigException.class).hasMessageContaining("auth.jwtSecret");
  }

  @Test
  void devModeAutoIsOnOnlyWithNothingConfiguredOnLoopback() {
    assertThat(AppConfig.resolveDevMode("auto", true, true)).isTrue();
    assertThat(AppConfig.resolveDevMode("auto", true, false)).as("all interfaces").isFalse();
    assertThat(AppConfig.resolveDevMode("auto", false, true)).as("something configured").isFalse();
    assertThat(AppConfig.resolveDevMode("off", true, true)).isFalse();
    assertThat(AppConfig.resolveDevMode("on", false, true)).isTrue();
    assertThat(AppConfig.resolveDevMode(ConfigLoader.load(null, Map.of(), new Properties()))).isTrue();
    assertThat(AppConfig.resolveDevMode(ConfigLoader.load(null, Map.of("CONVENE_HTTP_HOST", "0.0.0.0"), new Properties())))
        .as("embedded database, but listening on every interface").isFalse();
    assertThat(AppConfig.resolveDevMode(ConfigLoader.load(null, Map.of("CONVENE_AUTH_JWT_SECRET", SECRET),
        new Properties()))).as("embedded database, but a real secret").isFalse();
    assertThat(AppConfig.isLoopback("127.0.0.1")).isTrue();
    assertThat(AppConfig.isLoopback("::1")).isTrue();
    assertThat(AppConfig.isLoopback("localhost")).isTrue();
    assertThat(AppConfig.isLoopback("0.0.0.0")).isFalse();
    assertThat(AppConfig.isLoopback("10.1.2.3")).isFalse();
    assertThat(AppConfig.isLoopback("example.org")).isFalse();
  }

  @Test
  void devModeOnANonLoopbackAddressIsRefusedUnlessForced() {
    assertThatThrownBy(() -> AppConfig.from(ConfigLoader.load(null, Map.of("CONVENE_DEV_MODE", "on",
            "CONVENE_HTTP_HOST", "0.0.0.0", "CONVENE_AUTH_JWT_SECRET", SECRET), new Properties())))
        .isInstanceOf(ConfigException.class).hasMessageContaining("devMode").hasMessageContaining("loopback");
    AppConfig forced = AppConfig.from(ConfigLoader.load(null, Map.of("CONVENE_DEV_MODE", "force",
        "CONVENE_HTTP_HOST", "0.0.0.0", "CONVENE_AUTH_JWT_SECRET", SECRET), new Properties()));
    assertThat(forced.devMode()).isTrue();
  }

  @Test
  void anEmbeddedDatabaseOnEveryInterfaceIsNoDevModeAndGetsNoDefaultLiveKitSecret() {
    assertThatThrownBy(() -> AppConfig.from(ConfigLoader.load(null, Map.of("CONVENE_HTTP_HOST", "0.0.0.0",
            "CONVENE_AUTH_JWT_SECRET", SECRET, "CONVENE_AUTH_ISSUER", "i", "CONVENE_AUTH_AUDIENCE", "a"),
            new Properties())))
        .isInstanceOf(ConfigException.class).hasMessageContaining("livekit.apiSecret");
  }

  @Test
  void issuerAndAudienceAreRequiredOutsideDevMode() {
    Map<String, String> env = Map.of("CONVENE_DB_URL", "postgresql://db/x", "CONVENE_AUTH_JWT_SECRET", SECRET,
        "CONVENE_LIVEKIT_API_SECRET", "lk");
    assertThatThrownBy(() -> AppConfig.from(ConfigLoader.load(null, env, new Properties())))
        .isInstanceOf(ConfigException.class).hasMessageContaining("auth.issuer");
    java.util.HashMap<String, String> scoped = new java.util.HashMap<>(env);
    scoped.put("CONVENE_AUTH_ISSUER", "https://app.example");
    scoped.put("CONVENE_AUTH_AUDIENCE", "convene");
    assertThat(AppConfig.from(ConfigLoader.load(null, scoped, new Properties())).auth().issuer()).isEqualTo("https://app.example");
    java.util.HashMap<String, String> unscoped = new java.util.HashMap<>(env);
    unscoped.put("CONVENE_AUTH_REQUIRE_ISSUER", "false");
    assertThat(AppConfig.from(ConfigLoader.load(null, unscoped, new Properties())).auth().unscoped()).isTrue();
  }

  @Test
  void devModeKeepsItsSigningKeyApartFromTheHostAppSecret() {
    AppConfig dev = AppConfig.from(ConfigLoader.load(null, Map.of("CONVENE_DEV_MODE", "on", "CONVENE_AUTH_JWT_SECRET",
        SECRET, "CONVENE_AUTH_DEV_SECRET", "another-key-another-key-another-key"), new Properties()));
    assertThat(dev.auth().devSecret()).isEqualTo("another-key-another-key-another-key");
    assertThatThrownBy(() -> AppConfig.from(ConfigLoader.load(null, Map.of("CONVENE_DEV_MODE", "on",
            "CONVENE_AUTH_JWT_SECRET", SECRET, "CONVENE_AUTH_DEV_SECRET", SECRET), new Properties())))
        .isInstanceOf(ConfigException.class).hasMessageContaining("auth.devSecret");
    AppConfig prod = AppConfig.from(ConfigLoader.load(null, Map.of("CONVENE_DB_URL", "postgresql://db/x",
        "CONVENE_AUTH_JWT_SECRET", SECRET, "CONVENE_AUTH_ISSUER", "i", "CONVENE_AUTH_AUDIENCE", "a",
        "CONVENE_LIVEKIT_API_SECRET", "lk", "CONVENE_AUTH_DEV_SECRET", "another-key-another-key-another-key"),
        new Properties()));
    assertThat(prod.auth().devSecret()).as("no dev key outside dev mode").isNull();
    assertThat(prod.auth().toString()).doesNotContain(SECRET);
  }

  @Test
  void printedUrlsHideTheirCredentials() {
    assertThat(Redact.url("postgresql://app:s3cret@db.internal:5432/convene?sslmode=require"))
        .isEqualTo("postgresql://app:***@db.internal:5432/convene?sslmode=require");
    assertThat(Redact.url("redis://:hunter2@cache:6379/0")).isEqualTo("redis://:***@cache:6379/0");
    assertThat(Redact.url("postgresql://db/convene?user=app&password=s3cret")).doesNotContain("s3cret");
    assertThat(Redact.url("redis://cache:6379")).isEqualTo("redis://cache:6379");
  }
}
