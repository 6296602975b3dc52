package io.convene.embedded;

import io.zonky.test.db.postgres.util.ArchUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The operating system and processor, named the way zonky's embedded PostgreSQL names its binaries:
 * {@code system} is {@code Linux}, {@code Darwin} or {@code Windows} and {@code arch} is zonky's
 * normalised architecture ({@code x86_64}, {@code arm_64}, ...). {@code musl} marks Alpine and other
 * musl-based Linux, where the glibc builds do not run.
 */
public record EmbeddedPlatform(String system, String arch, boolean musl) {
  /** What the zero-configuration start supports, in the words of its error messages. */
  static final String SUPPORTED = "Linux x86_64, Linux arm64 and macOS arm64";

  /** The platform this JVM runs on. */
  public static EmbeddedPlatform current() {
    String osName = System.getProperty("os.name", "");
    EmbeddedPlatform platform = of(osName, System.getProperty("os.arch", ""));
    return platform.system().equals("Linux") ? platform.withMusl(muslLinux()) : platform;
  }

  /**
   * From Java's {@code os.name} and {@code os.arch}, as zonky's {@code EmbeddedPostgres} detects them
   * (Windows, Mac OS X and Linux by prefix; {@code amd64} is {@code x86_64}) and {@code ArchUtils}
   * normalises them.
   */
  public static EmbeddedPlatform of(String osName, String osArch) {
    String system;
    if (osName.startsWith("Windows")) {
      system = "Windows";
    } else if (osName.startsWith("Mac OS X")) {
      system = "Darwin";
    } else if (osName.startsWith("Linux") || osName.startsWith("LINUX")) {
      system = "Linux";
    } else {
      system = osName.isBlank() ? "unknown" : osName;
    }
    String arch = osArch.isBlank() ? "unknown" : ArchUtils.normalize("amd64".equals(osArch) ? "x86_64" : osArch);
    return new EmbeddedPlatform(system, arch, false);
  }

  public EmbeddedPlatform withMusl(boolean isMusl) {
    return new EmbeddedPlatform(system, arch, isMusl);
  }

  /**
   * The classpath resource zonky's {@code DefaultPostgresBinaryResolver} looks for:
   * {@code postgres-<system>-<arch>.txz}, lower case, spaces as underscores.
   */
  public String pgResourceName() {
    return ("postgres-" + system + "-" + arch + ".txz").replace(' ', '_').toLowerCase(Locale.ROOT);
  }

  /** Whether the server jar carries a Redis for this platform (the shade filter keeps these three). */
  public boolean hasEmbeddedRedis() {
    if (musl) {
      return false;
    }
    return switch (system) {
      case "Linux" -> arch.equals("x86_64") || arch.equals("arm_64");
      case "Darwin" -> arch.equals("arm_64");
      default -> false;
    };
  }

  /** For people: "macOS arm64", "Linux x86_64", "Linux (musl) x86_64", "Windows x86_64". */
  public String displayName() {
    String os = switch (system) {
      case "Darwin" -> "macOS";
      case "Linux" -> musl ? "Linux (musl)" : "Linux";
      default -> system;
    };
    String cpu = arch.equals("arm_64") ? "arm64" : arch;
    return os + " " + cpu;
  }

  /** The error for a platform without embedded binaries: what to configure instead. */
  IllegalStateException unsupported(String what) {
    String why = musl
        ? "Alpine and other musl-based Linux cannot run the embedded builds"
        : "the zero-configuration start supports " + SUPPORTED;
    return new IllegalStateException(
        "no embedded " + what + " for " + displayName() + ": " + why + ". Point Convene at a PostgreSQL and a Redis"
            + " of your own with CONVENE_DB_URL and CONVENE_REDIS_URL (docs/operations.md).");
  }

  /** Alpine and other musl systems have a musl dynamic loader ({@code /lib/ld-musl-<arch>.so.1}). */
  private static boolean muslLinux() {
    Path lib = Path.of("/lib");
    if (!Files.isDirectory(lib)) {
      return false;
    }
    try (Stream<Path> entries = Files.list(lib)) {
      return entries.anyMatch(p -> p.getFileName().toString().startsWith("ld-musl-"));
    } catch (IOException | SecurityException e) {
      return false;
    }
  }
}
