package io.convene.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import io.convene.testing.ManualClock;
import io.convene.testing.TestServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class AuthIT {
  private final Vertx vertx = Vertx.vertx();
  private final ManualClock clock = new ManualClock(Instant.now());

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void hs256TokensAreCheckedForSignatureExpiryAndSubject() {
    TestServer server = TestServer.start(vertx, clock);
    assertThat(server.get("/api/meetings", server.token("ann")).statusCode()).isEqualTo(200);

    String expired = JWT.create().withSubject("ann").withExpiresAt(Date.from(clock.instant().minusSeconds(60)))
        .sign(Algorithm.HMAC256(TestServer.SECRET));
    var r = server.get("/api/meetings", expired);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.bodyAsJsonObject().getString("code")).isEqualTo("token_expired");
    assertThat(r.getHeader("WWW-Authenticate")).startsWith("Bearer");

    String forged = JWT.create().withSubject("ann").withExpiresAt(Date.from(clock.instant().plusSeconds(600)))
        .sign(Algorithm.HMAC256("another-secret-another-secret-another-secret"));
    assertThat(server.get("/api/meetings", forged).bodyAsJsonObject().getString("code")).isEqualTo("unauthorized");

    String noSubject = JWT.create().withExpiresAt(Date.from(clock.instant().plusSeconds(600)))
        .sign(Algorithm.HMAC256(TestServer.SECRET));
    assertThat(server.get("/api/meetings", noSubject).statusCode()).isEqualTo(401);

    String noExpiry = JWT.create().withSubject("ann").sign(Algorithm.HMAC256(TestServer.SECRET));
    assertThat(server.get("/api/meetings", noExpiry).statusCode()).isEqualTo(401);

    String unsigned = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + b64("{\"sub\":\"ann\",\"exp\":9999999999}") + ".";
    assertThat(server.get("/api/meetings", unsigned).statusCode()).isEqualTo(401);
    assertThat(server.get("/api/meetings", "garbage").statusCode()).isEqualTo(401);
    assertThat(server.get("/api/meetings", null).bodyAsJsonObject().getString("detail")).isEqualTo("missing bearer token");
  }

  @Test
  void aTokensTimesAreReadOffTheServersClockOnEveryUse() {
    TestServer server = TestServer.start(vertx, clock);
    String token = server.token("ann", clock.instant().plusSeconds(10));
    assertThat(server.get("/api/meetings", token).statusCode()).isEqualTo(200);
    assertThat(server.get("/api/meetings", token).statusCode()).as("used again").isEqualTo(200);
    // still within the time its signature is trusted for, yet expired
    clock.advance(TokenVerifier.TRUSTED_FOR.dividedBy(2));
    var expired = server.get("/api/meetings", token);
    assertThat(expired.statusCode()).isEqualTo(401);
    assertThat(expired.bodyAsJsonObject().getString("code")).isEqualTo("token_expired");

    String early = JWT.create().withSubject("ann").withNotBefore(Date.from(clock.instant().plusSeconds(120)))
        .withExpiresAt(Date.from(clock.instant().plusSeconds(600))).sign(Algorithm.HMAC256(TestServer.SECRET));
    var notYet = server.get("/api/meetings", early);
    assertThat(notYet.statusCode()).isEqualTo(401);
    assertThat(notYet.bodyAsJsonObject().getString("detail")).contains("nbf");
    clock.advance(Duration.ofMinutes(2));
    assertThat(server.get("/api/meetings", early).statusCode()).as("its time has come").isEqualTo(200);
  }

  @Test
  void rs256AndEs256KeysComeFromJwksAndRotateWithoutRestart() throws Exception {
    KeyPair rsa = generator("RSA", null).generateKeyPair();
    KeyPair ec = generator("EC", new ECGenParameterSpec("secp256r1")).generateKeyPair();
    AtomicReference<JsonArray> keys = new AtomicReference<>(new JsonArray().add(rsaJwk("k1", rsa)));
    HttpServer idp = vertx.createHttpServer()
        .requestHandler(req -> req.response().putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("keys", keys.get()).encode()))
        .listen(0, "127.0.0.1").await();
    TestServer server = TestServer.start(vertx, clock, new JsonObject().put("auth", new JsonObject()
        .put("jwtSecret", null).put("jwksUrl", "http://127.0.0.1:" + idp.actualPort() + "/jwks.json")));

    String rsToken = JWT.create().withKeyId("k1").withSubject("rita").withClaim("name", "Rita")
        .withExpiresAt(Date.from(clock.instant().plusSeconds(600)))
        .sign(Algorithm.RSA256((RSAPublicKey) rsa.getPublic(), (RSAPrivateKey) rsa.getPrivate()));
    assertThat(server.get("/api/meetings", rsToken).statusCode()).isEqualTo(200);
    assertThat(server.get("/health/ready", null).bodyAsJsonObject().getJsonObject("checks").getString("jwks")).isEqualTo("UP");

    keys.set(new JsonArray().add(rsaJwk("k1", rsa)).add(ecJwk("k2", ec)));
    String esToken = JWT.create().withKeyId("k2").withSubject("eve")
        .withExpiresAt(Date.from(clock.instant().plusSeconds(600)))
        .sign(Algorithm.ECDSA256((ECPublicKey) ec.getPublic(), (ECPrivateKey) ec.getPrivate()));
    clock.advance(Duration.ofSeconds(31));
    assertThat(server.get("/api/meetings", esToken).statusCode()).as("unknown kid triggers a refresh").isEqualTo(200);

    String hs = JWT.create().withSubject("rita").withExpiresAt(Date.from(clock.instant().plusSeconds(600)))
        .sign(Algorithm.HMAC256(TestServer.SECRET));
    assertThat(server.get("/api/meetings", hs).statusCode()).as("no shared secret configured").isEqualTo(401);
  }

  @Test
  void devTokenRouteDoesNotExistOutsideDevMode() {
    TestServer server = TestServer.start(vertx, clock, new JsonObject().put("devMode", "off")
        .put("auth", new JsonObject().put("requireIssuer", false)));
    var r = server.post("/dev/token", null, new JsonObject().put("userId", "x"));
    assertThat(r.statusCode()).isEqualTo(404);
  }

  @Test
  void devTokenRouteMintsWorkingTokens() {
    TestServer server = TestServer.start(vertx, clock);
    var r = server.post("/dev/token", null, new JsonObject().put("userId", "dev-user").put("roles", new JsonArray().add("admin")));
    assertThat(r.statusCode()).isEqualTo(200);
    String token = r.bodyAsJsonObject().getString("token");
    assertThat(server.get("/api/meetings", token).statusCode()).isEqualTo(200);
    assertThat(server.post("/dev/token", null, new JsonObject()).statusCode()).isEqualTo(400);
  }

  private static KeyPairGenerator generator(String alg, ECGenParameterSpec spec) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance(alg);
    if (spec != null) {
      g.initialize(spec);
    } else {
      g.initialize(2048);
    }
    return g;
  }

  private static JsonObject rsaJwk(String kid, KeyPair pair) {
    RSAPublicKey pub = (RSAPublicKey) pair.getPublic();
    return new JsonObject().put("kty", "RSA").put("kid", kid).put("use", "sig")
        .put("n", unsigned(pub.getModulus())).put("e", unsigned(pub.getPublicExponent()));
  }

  private static JsonObject ecJwk(String kid, KeyPair pair) {
    ECPublicKey pub = (ECPublicKey) pair.getPublic();
    return new JsonObject().put("kty", "EC").put("kid", kid).put("crv", "P-256")
        .put("x", fixed(pub.getW().getAffineX(), 32)).put("y", fixed(pub.getW().getAffineY(), 32));
  }

  private static String unsigned(BigInteger v) {
    byte[] b = v.toByteArray();
    if (b[0] == 0) {
      b = Arrays.copyOfRange(b, 1, b.length);
    }
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static String fixed(BigInteger v, int size) {
    byte[] b = v.toByteArray();
    byte[] out = new byte[size];
    int copy = Math.min(b.length, size);
    System.arraycopy(b, b.length - copy, out, size - copy, copy);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
  }

  private static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

}
