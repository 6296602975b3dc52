package io.convene;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/** What the server jar carries: no load generator, nor its socket client or histogram library. */
class PackagingIT {
  private static final Path SERVER_JAR = Path.of("target", "convene.jar");

  @Test
  void serverJarHoldsNoBenchmarkCode() throws IOException {
    assertThat(entries(SERVER_JAR)).contains("io/convene/Main.class")
        .noneMatch(e -> e.startsWith("io/convene/bench/"))
        .noneMatch(e -> e.startsWith("io/convene/client/"))
        .noneMatch(e -> e.startsWith("org/HdrHistogram/"));
  }

  private static List<String> entries(Path jar) throws IOException {
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      return zip.stream().map(ZipEntry::getName).toList();
    }
  }
}
