package io.convene.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Platform names as zonky spells them, and which platforms have embedded servers. */
class EmbeddedPlatformTest {

  @Test
  void resourceNamesFollowZonky() {
    assertThat(EmbeddedPlatform.of("Linux", "amd64").pgResourceName()).isEqualTo("postgres-linux-x86_64.txz");
    assertThat(EmbeddedPlatform.of("Linux", "x86_64").pgResourceName()).isEqualTo("postgres-linux-x86_64.txz");
    assertThat(EmbeddedPlatform.of("Linux", "aarch64").pgResourceName()).isEqualTo("postgres-linux-arm_64.txz");
    assertThat(EmbeddedPlatform.of("Mac OS X", "aarch64").pgResourceName()).isEqualTo("postgres-darwin-arm_64.txz");
    assertThat(EmbeddedPlatform.of("Mac OS X", "x86_64").pgResourceName()).isEqualTo("postgres-darwin-x86_64.txz");
    assertThat(EmbeddedPlatform.of("Windows 11", "amd64").pgResourceName()).isEqualTo("postgres-windows-x86_64.txz");
  }

  @Test
  void zonkysOwnResolverFindsTheSameArchives() throws IOException {
    // The test classpath holds the three builds; zonky's resolver and our names must pick the same one.
    String[][] platforms = {{"Linux", "amd64"}, {"Linux", "aarch64"}, {"Mac OS X", "aarch64"}};
    for (String[] p : platforms) {
      EmbeddedPlatform platform = EmbeddedPlatform.of(p[0], p[1]);
      byte[] ours;
      try (InputStream in = getClass().getClassLoader().getResourceAsStream(platform.pgResourceName())) {
        assertThat(in).as(platform.pgResourceName()).isNotNull();
        ours = in.readNBytes(1 << 20);
      }
      try (InputStream in = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(platform.system(), p[1])) {
        assertThat(Arrays.equals(in.readNBytes(1 << 20), ours)).as(platform.displayName()).isTrue();
      }
    }
  }

  @Test
  void embeddedRedisOnTheThreeSupportedPlatformsOnly() {
    assertThat(EmbeddedPlatform.of("Linux", "amd64").hasEmbeddedRedis()).isTrue();
    assertThat(EmbeddedPlatform.of("Linux", "aarch64").hasEmbeddedRedis()).isTrue();
    assertThat(EmbeddedPlatform.of("Mac OS X", "aarch64").hasEmbeddedRedis()).isTrue();
    assertThat(EmbeddedPlatform.of("Mac OS X", "x86_64").hasEmbeddedRedis()).isFalse();
    assertThat(EmbeddedPlatform.of("Windows 10", "amd64").hasEmbeddedRedis()).isFalse();
    assertThat(EmbeddedPlatform.of("Linux", "amd64").withMusl(true).hasEmbeddedRedis()).isFalse();
  }

  @Test
  void namesForPeople() {
    assertThat(EmbeddedPlatform.of("Mac OS X", "aarch64").displayName()).isEqualTo("macOS arm64");
    assertThat(EmbeddedPlatform.of("Linux", "amd64").displayName()).isEqualTo("Linux x86_64");
    assertThat(EmbeddedPlatform.of("Linux", "amd64").withMusl(true).displayName()).isEqualTo("Linux (musl) x86_64");
    assertThat(EmbeddedPlatform.of("Windows 10", "amd64").unsupported("Redis"))
        .hasMessageContaining("no embedded Redis for Windows x86_64")
        .hasMessageContaining("Linux x86_64, Linux arm64 and macOS arm64")
        .hasMessageContaining("CONVENE_DB_URL and CONVENE_REDIS_URL");
  }

  @Test
  void thisMachine() {
    EmbeddedPlatform here = EmbeddedPlatform.current();
    assertThat(here).isEqualTo(
        EmbeddedPlatform.of(System.getProperty("os.name"), System.getProperty("os.arch")).withMusl(here.musl()));
  }
}
