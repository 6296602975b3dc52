package io.convene.recording;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convene.config.AppConfig;
import io.convene.config.ConfigException;
import io.convene.config.ConfigLoader;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The {@code recordings.*} keys: defaults, environment overrides, validation, and secrets kept out of logs. */
class RecordingConfigTest {
  private static final String SECRET = "0123456789abcdef0123456789abcdef";

  private static AppConfig.Recordings load(Map<String, String> env) {
    Map<String, String> all = new HashMap<>(env);
    all.put("CONVENE_AUTH_JWT_SECRET", SECRET);
    all.put("CONVENE_DEV_MODE", "on");
    return AppConfig.from(ConfigLoader.load(null, all, new Properties())).recordings();
  }

  @Test
  void defaultsWriteAFileOnTheEgressHost() {
    AppConfig.Recordings r = load(Map.of());
    assertThat(r.s3().enabled()).isFalse();
    assertThat(r.filePathOf("mtg_a", "rec_b")).isEqualTo("recordings/mtg_a/rec_b.mp4");
    assertThat(r.fileType()).isEqualTo("mp4");
    assertThat(r.startTimeoutSeconds()).isEqualTo(120);
  }

  @Test
  void objectStorageComesFromTheEnvironmentAndItsKeysAreNeverPrinted() {
    AppConfig.Recordings r = load(Map.of(
        "CONVENE_RECORDINGS_S3_BUCKET", "meetings",
        "CONVENE_RECORDINGS_S3_REGION", "eu-west-1",
        "CONVENE_RECORDINGS_S3_ENDPOINT", "https://minio.internal:9000",
        "CONVENE_RECORDINGS_S3_ACCESS_KEY", "AKIAEXAMPLE",
        "CONVENE_RECORDINGS_S3_SECRET", "very-secret-value",
        "CONVENE_RECORDINGS_S3_FORCE_PATH_STYLE", "true"));
    assertThat(r.s3().enabled()).isTrue();
    assertThat(r.s3().bucket()).isEqualTo("meetings");
    assertThat(r.s3().forcePathStyle()).isTrue();
    assertThat(r.s3().secret()).isEqualTo("very-secret-value");
    assertThat(r.toString()).doesNotContain("very-secret-value").doesNotContain("AKIAEXAMPLE").contains("meetings");
  }

  @Test
  void badValuesFailNamingTheKey() {
    assertThatThrownBy(() -> load(Map.of("CONVENE_RECORDINGS_FILE_PATH", "recordings/{meetingId}.mp4")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("recordings.filePath");
    assertThatThrownBy(() -> load(Map.of("CONVENE_RECORDINGS_FILE_TYPE", "avi")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("recordings.fileType");
    assertThatThrownBy(() -> load(Map.of("CONVENE_RECORDINGS_S3_ENDPOINT", "minio:9000")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("recordings.s3.endpoint");
    assertThatThrownBy(() -> load(Map.of("CONVENE_RECORDINGS_S3_SECRET", "only-the-secret")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("recordings.s3.accessKey")
        .hasMessageNotContaining("only-the-secret");
    assertThatThrownBy(() -> load(Map.of("CONVENE_RECORDINGS_START_TIMEOUT_SECONDS", "0")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("recordings.startTimeoutSeconds");
  }
}
