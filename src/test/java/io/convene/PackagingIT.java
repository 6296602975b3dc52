package io.convene;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * What the server jar carries: at most 70 MB; no load generator; PostgreSQL binaries for Linux x86_64
 * only (Linux arm64 and macOS arm64 fetch theirs on first start); Redis binaries for the three
 * platforms of the zero-configuration start.
 */
class PackagingIT {
  private static final Path SERVER_JAR = Path.of("target", "convene.jar");
  private static final long MAX_BYTES = 70_000_000L;

  @Test
  void serverJarIsAtMost70Megabytes() throws IOException {
    assertThat(Files.size(SERVER_JAR)).isLessThanOrEqualTo(MAX_BYTES);
  }

  @Test
  void serverJarHoldsNoBenchmarkCode() throws IOException {
    assertThat(entries(SERVER_JAR)).contains("io/convene/Main.class")
        .noneMatch(e -> e.startsWith("io/convene/bench/"))
        .noneMatch(e -> e.startsWith("io/convene/client/"))
        .noneMatch(e -> e.startsWith("org/HdrHistogram/"));
  }

  @Test
  void serverJarCarriesPostgresForLinuxX86AndRedisForThreePlatforms() throws IOException {
    List<String> entries = entries(SERVER_JAR);
    assertThat(entries).filteredOn(e -> e.startsWith("postgres-")).containsExactly("postgres-linux-x86_64.txz");
    assertThat(entries).filteredOn(e -> e.startsWith("redis-server-")).hasSize(3)
        .anyMatch(e -> e.endsWith("-linux-amd64"))
        .anyMatch(e -> e.endsWith("-linux-arm64"))
        .anyMatch(e -> e.endsWith("-darwin-arm64"));
  }

  private static List<String> entries(Path jar) throws IOException {
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      return zip.stream().map(ZipEntry::getName).toList();
    }
  }
}
