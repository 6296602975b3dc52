package io.convene;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * What the server jar carries: no load generator, and embedded PostgreSQL and Redis binaries for
 * exactly the platforms the zero-configuration start supports (Linux x86_64, Linux arm64, macOS arm64).
 */
class PackagingIT {
  private static final Path SERVER_JAR = Path.of("target", "convene.jar");

  @Test
  void serverJarHoldsNoBenchmarkCode() throws IOException {
    assertThat(entries(SERVER_JAR)).contains("io/convene/Main.class")
        .noneMatch(e -> e.startsWith("io/convene/bench/"))
        .noneMatch(e -> e.startsWith("io/convene/client/"))
        .noneMatch(e -> e.startsWith("org/HdrHistogram/"));
  }

  @Test
  void serverJarCarriesEmbeddedBinariesForThreePlatformsOnly() throws IOException {
    List<String> entries = entries(SERVER_JAR);
    assertThat(entries).filteredOn(e -> e.startsWith("postgres-")).containsExactlyInAnyOrder(
        "postgres-linux-x86_64.txz", "postgres-linux-arm_64.txz", "postgres-darwin-arm_64.txz");
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
