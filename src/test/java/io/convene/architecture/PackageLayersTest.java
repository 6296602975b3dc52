package io.convene.architecture;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps the package graph one-way (see docs/architecture.md): a package may use packages of lower
 * layers only, never one of its own layer or above, so no cycle can form.
 */
class PackageLayersTest {
  private static final String BASE = "io.convene";

  /** Lowest first. The top layer is the root package: the launcher and the one class that wires a node. */
  static final List<List<String>> LAYERS = List.of(
      List.of("config", "protocol", "bus", "metrics"),
      List.of("db", "embedded", "auth", "livekit", "user", "limit"),
      List.of("web", "console", "cluster"),
      List.of("outbox", "audit"),
      List.of("notify"),
      List.of("meeting"),
      List.of("presence", "attendance", "webhook", "interaction"),
      List.of("call", "recording"),
      List.of("lobby"),
      List.of("room"),
      List.of("guest"),
      List.of("schedule", "gateway"),
      List.of("http"),
      List.of(""));

  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(BASE);
  }

  @Test
  void everyPackageHasALayer() {
    TreeSet<String> unknown = new TreeSet<>();
    for (JavaClass c : classes) {
      if (layerOf(c.getPackageName()) < 0) {
        unknown.add(c.getPackageName());
      }
    }
    assertThat(unknown).as("packages missing from LAYERS (add them where they belong)").isEmpty();
  }

  @Test
  void packagesUseLowerLayersOnly() {
    TreeSet<String> violations = new TreeSet<>();
    for (JavaClass c : classes) {
      String from = feature(c.getPackageName());
      int fromLayer = layerOf(c.getPackageName());
      for (Dependency d : c.getDirectDependenciesFromSelf()) {
        String target = d.getTargetClass().getPackageName();
        if (!target.equals(BASE) && !target.startsWith(BASE + ".")) {
          continue;
        }
        String to = feature(target);
        if (to.equals(from)) {
          continue;
        }
        int toLayer = layerOf(target);
        if (toLayer >= fromLayer) {
          violations.add(name(from) + " -> " + name(to) + " (" + c.getSimpleName() + " uses "
              + d.getTargetClass().getSimpleName() + ")");
        }
      }
    }
    assertThat(violations).as("imports of a package in the same or a higher layer").isEmpty();
  }

  @Test
  void noCycles() {
    slices().matching(BASE + ".(*)..").should().beFreeOfCycles().check(classes);
  }

  private static String feature(String pkg) {
    if (pkg.equals(BASE)) {
      return "";
    }
    String rest = pkg.substring(BASE.length() + 1);
    int dot = rest.indexOf('.');
    return dot < 0 ? rest : rest.substring(0, dot);
  }

  private static int layerOf(String pkg) {
    String f = feature(pkg);
    for (int i = 0; i < LAYERS.size(); i++) {
      if (LAYERS.get(i).contains(f)) {
        return i;
      }
    }
    return -1;
  }

  private static String name(String feature) {
    return feature.isEmpty() ? "(root)" : feature;
  }
}
