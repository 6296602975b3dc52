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
 * platforms of the zero-configuration start; nothing the server never loads.
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

  @Test
  void serverJarLeavesOutWhatTheServerNeverLoads() throws IOException {
    assertThat(entries(SERVER_JAR))
        .noneMatch(e -> e.startsWith("redis/clients/jedis/"))
        .noneMatch(e -> e.startsWith("org/apache/commons/pool2/"))
        .noneMatch(e -> e.startsWith("META-INF/maven/"))
        .noneMatch(e -> e.startsWith("hazelcast-config-4.") || e.startsWith("hazelcast-config-5.2."))
        .noneMatch(e -> e.endsWith("-full-example.xml"))
        // what the server does load stays
        .contains("redis/embedded/RedisServer.class", "hazelcast-config-5.3.xsd", "hazelcast-config-5.3.json",
            "hazelcast-client-config-5.3.xsd", "hazelcast-default.xml", "io/convene/embedded/PgBinaries.class");
  }

  private static List<String> entries(Path jar) throws IOException {
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      return zip.stream().map(ZipEntry::getName).toList();
    }
  }
}
