package io.convene.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.gateway.Gateway;
import io.convene.testing.ServerTestBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code docs/openapi.yaml} and the server agree: every route the server mounts is documented and every
 * documented operation is mounted (walking the router of a running node), and an operation sent a body
 * without its required fields answers a documented 400/422 problem naming each of them.
 */
@org.junit.jupiter.api.Timeout(120)
class OpenApiContractIT extends ServerTestBase {
  /** Web pages for browsers (the console and the guest page), not the API the document describes. */
  private static final List<String> PAGES = List.of("/console", "/join/");
  private static final Set<String> METHODS = Set.of("get", "post", "put", "patch", "delete");

  private static Map<String, Object> document;

  @BeforeAll
  void readDocument() throws Exception {
    try (Reader in = Files.newBufferedReader(Path.of("docs/openapi.yaml"))) {
      document = new Yaml().load(in);
    }
  }

  @Test
  void everyMountedRouteIsDocumentedAndEveryDocumentedOperationIsMounted() {
    Set<String> mounted = new TreeSet<>();
    walk(server.router(), "", mounted);
    mounted.add("GET " + Gateway.PATH); // the WebSocket upgrade, taken before the router
    Set<String> documented = new TreeSet<>();
    paths().forEach((path, item) -> operations(item).keySet()
        .forEach(m -> documented.add(m.toUpperCase(Locale.ROOT) + " " + normalise(path))));
    assertThat(mounted).as("routes the server mounts that docs/openapi.yaml lacks")
        .isSubsetOf(documented);
    assertThat(documented).as("operations of docs/openapi.yaml the server does not mount")
        .isSubsetOf(mounted);
  }

  @Test
  void aBodyMissingRequiredFieldsIsRefusedNamingEachOfThem() {
    String owner = user("owner");
    String token = server.token(owner, "Owner", List.of("admin")); // webhooks and the outbox are for admins
    String meetingId = api.meeting(owner).createId();
    List<String> checked = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    paths().forEach((path, item) -> operations(item).forEach((method, op) -> {
      List<String> required = requiredBodyFields(op);
      if (required.isEmpty() || path.startsWith("/api/external/session") || path.contains("{token}")) {
        return; // guest-session routes take a guest token, not a member's
      }
      String concrete = path.replace("{id}", meetingId).replaceAll("\\{[^}]+}", "x_unknown");
      HttpResponse<Buffer> response = server.call(HttpMethod.valueOf(method.toUpperCase(Locale.ROOT)), concrete, token,
          new JsonObject());
      int status = response.statusCode();
      String where = method.toUpperCase(Locale.ROOT) + " " + path;
      if (!documentedStatuses(op).contains(String.valueOf(status)) && !documentedStatuses(op).contains("default")) {
        problems.add(where + " answered an undocumented " + status + ": " + response.bodyAsString());
        return;
      }
      if (status == 404 && !path.equals(path.replaceAll("\\{(?!id})[^}]+}", ""))) {
        return; // another resource of the path does not exist: the body is not looked at
      }
      if (status != 400 && status != 422) {
        problems.add(where + " with {} answered " + status + ", not 400/422: " + response.bodyAsString());
        return;
      }
      assertThat(response.getHeader("Content-Type")).as(where).startsWith("application/problem+json");
      JsonArray errors = response.bodyAsJsonObject().getJsonArray("errors", new JsonArray());
      Set<String> named = new TreeSet<>();
      errors.forEach(e -> named.add(((JsonObject) e).getString("field")));
      for (String field : required) {
        if (!named.contains(field)) {
          problems.add(where + " did not name missing field '" + field + "': " + response.bodyAsString());
        }
      }
      checked.add(where);
    }));
    assertThat(problems).isEmpty();
    assertThat(checked).as("operations checked").hasSizeGreaterThan(5);
  }

  private static void walk(Router router, String prefix, Set<String> into) {
    for (Route route : router.getRoutes()) {
      String path = route.getPath();
      if (route.getSubRouter() != null) {
        walk(route.getSubRouter(), prefix + (path == null ? "" : path.replaceAll("/?\\*?$", "")), into);
        continue;
      }
      if (path == null || route.methods() == null || route.methods().isEmpty()) {
        continue; // handlers of every route: auth, body, timeout, failure
      }
      String full = prefix + path;
      if (PAGES.stream().anyMatch(full::startsWith)) {
        continue;
      }
      route.methods().forEach(m -> into.add(m.name() + " " + normalise(full)));
    }
  }

  /** {@code /a/:id/b} and {@code /a/{meetingId}/b} alike: {@code /a/{}/b}. */
  private static String normalise(String path) {
    return path.replaceAll(":[A-Za-z0-9_]+", "{}").replaceAll("\\{[^}]+}", "{}");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> paths() {
    return (Map<String, Object>) document.get("paths");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Map<String, Object>> operations(Object item) {
    Map<String, Map<String, Object>> out = new java.util.TreeMap<>();
    ((Map<String, Object>) item).forEach((k, v) -> {
      if (METHODS.contains(k)) {
        out.put(k, (Map<String, Object>) v);
      }
    });
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Set<String> documentedStatuses(Map<String, Object> op) {
    Set<String> out = new TreeSet<>();
    ((Map<Object, Object>) op.getOrDefault("responses", Map.of())).keySet().forEach(k -> out.add(String.valueOf(k)));
    return out;
  }

  @SuppressWarnings("unchecked")
  private static List<String> requiredBodyFields(Map<String, Object> op) {
    Object body = op.get("requestBody");
    if (body == null) {
      return List.of();
    }
    Map<String, Object> content = (Map<String, Object>) resolve((Map<String, Object>) body).get("content");
    if (content == null || !content.containsKey("application/json")) {
      return List.of();
    }
    Map<String, Object> schema = (Map<String, Object>) ((Map<String, Object>) content.get("application/json")).get("schema");
    if (schema == null) {
      return List.of();
    }
    Object required = resolve(schema).get("required");
    return required == null ? List.of() : (List<String>) required;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> resolve(Map<String, Object> node) {
    Object ref = node.get("$ref");
    if (ref == null) {
      return node;
    }
    Object at = document;
    for (String part : ((String) ref).substring(2).split("/")) {
      at = ((Map<String, Object>) at).get(part);
    }
    return resolve((Map<String, Object>) at);
  }
}
