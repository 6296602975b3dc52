package io.convene.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The safe-target rule, the signature, the secret box and the retry schedule, without a server. */
class WebhookSafetyTest {
  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "127.9.9.9", "::1", "10.0.0.1", "172.16.5.4", "172.31.255.255",
      "192.168.1.1", "100.64.0.1", "169.254.169.254", "fe80::1", "fc00::1", "fd12:3456::1", "224.0.0.1", "ff02::1",
      "0.0.0.0", "::", "0.1.2.3", "255.255.255.255", "::ffff:127.0.0.1", "::ffff:10.1.1.1", "240.0.0.1"})
  void nonPublicAddressesAreRefused(String address) throws Exception {
    assertThat(Targets.refusal(InetAddress.getByName(address))).as(address).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "1.1.1.1"})
  void publicAddressesAreAllowed(String address) throws Exception {
    assertThat(Targets.refusal(InetAddress.getByName(address))).as(address).isNull();
  }

  @Test
  void urlsAreHttpWithAHostAndNoCredentials() {
    assertThat(Targets.formProblem("https://hooks.example.com/convene?x=1")).isNull();
    assertThat(Targets.formProblem("http://[2606:4700::1111]:8443/h")).isNull();
    assertThat(Targets.formProblem("ftp://example.com/")).contains("http");
    assertThat(Targets.formProblem("https:///nohost")).contains("host");
    assertThat(Targets.formProblem("https://user:pw@example.com/")).contains("credentials");
    assertThat(Targets.formProblem("https://example.com/#frag")).contains("fragment");
    assertThat(Targets.formProblem("https://example.com/" + "a".repeat(3000))).contains("2048");
    assertThat(Targets.formProblem("http://exa mple.com/")).isNotNull();
  }

  @Test
  void theAddressIsCheckedAgainAtConnectTimeAndTheConnectionGoesToTheCheckedAddress() throws Exception {
    // A name that was public when the webhook was registered and points at loopback later.
    AtomicInteger lookups = new AtomicInteger();
    InetAddress publicAddress = InetAddress.getByName("93.184.216.34");
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    Targets targets = new Targets(false, host -> Future.succeededFuture(
        List.of(lookups.incrementAndGet() == 1 ? publicAddress : loopback)));

    assertThat(targets.check("https://hooks.example.com/in").succeeded()).isTrue();
    Future<Targets.Target> later = targets.connectTo("https://hooks.example.com/in");
    assertThat(later.failed()).isTrue();
    assertThat(later.cause()).isInstanceOf(Targets.TargetRefused.class).hasMessageContaining("loopback");

    Targets publicOnly = new Targets(false, host -> Future.succeededFuture(List.of(publicAddress)));
    Targets.Target target = publicOnly.connectTo("https://hooks.example.com:8443/in?a=b").result();
    assertThat(target.server().host()).isEqualTo("93.184.216.34");
    assertThat(target.server().port()).isEqualTo(8443);
    assertThat(target.host()).isEqualTo("hooks.example.com");
    assertThat(target.requestUri()).isEqualTo("/in?a=b");
    assertThat(target.ssl()).isTrue();

    Targets mixed = new Targets(false, host -> Future.succeededFuture(List.of(publicAddress, loopback)));
    assertThat(mixed.connectTo("http://hooks.example.com/").failed()).as("any private address refuses").isTrue();
    Targets unresolvable = new Targets(false, host -> Future.failedFuture(new java.net.UnknownHostException(host)));
    assertThat(unresolvable.check("http://nowhere.invalid/").cause()).hasMessageContaining("cannot be resolved");
  }

  @Test
  void aSignatureIsStandardWebhooksV1() {
    // The example of the Standard Webhooks specification.
    byte[] key = Signature.key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    String body = "{\"test\": 2432232314}";
    String header = Signature.sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body);
    assertThat(header).isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    assertThat(Signature.verify(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body, "v1,bad " + header)).isTrue();
    assertThat(Signature.verify(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265331, body, header)).isFalse();
    assertThat(Signature.key(Signature.newSecret())).hasSize(32);
    assertThatThrownBy(() -> Signature.key("whsec_c2hvcnQ=")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void secretsAreSealedUnderTheConfiguredKeyAndOpenOnlyWithIt() {
    SecretBox box = SecretBox.from("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", null);
    String secret = Signature.newSecret();
    String sealed = box.seal(secret);
    assertThat(sealed).startsWith("v1:").doesNotContain(secret.substring(6));
    assertThat(box.seal(secret)).as("a fresh nonce each time").isNotEqualTo(sealed);
    assertThat(box.open(sealed)).isEqualTo(secret);
    SecretBox other = SecretBox.from(null, "another-jwt-secret-another-jwt-secret-0000");
    assertThatThrownBy(() -> other.open(sealed)).hasMessageContaining("cannot be decrypted").hasMessageNotContaining(secret);
    assertThat(other.open(other.seal(secret))).isEqualTo(secret);
    assertThatThrownBy(() -> SecretBox.from("c2hvcnQ=", null)).hasMessageContaining("webhooks.secretKey");
    SecretBox none = SecretBox.from(null, null);
    assertThat(none.encrypts()).isFalse();
    assertThat(none.open(none.seal(secret))).isEqualTo(secret);
  }

  @Test
  void retriesFollowTheConfiguredDelaysThenTheDeliveryFails() {
    List<Integer> delays = List.of(10, 60, 300, 1800);
    assertThat(Deliveries.nextDelay(delays, 1)).isEqualTo(Duration.ofSeconds(10));
    assertThat(Deliveries.nextDelay(delays, 2)).isEqualTo(Duration.ofSeconds(60));
    assertThat(Deliveries.nextDelay(delays, 3)).isEqualTo(Duration.ofMinutes(5));
    assertThat(Deliveries.nextDelay(delays, 4)).isEqualTo(Duration.ofMinutes(30));
    assertThat(Deliveries.nextDelay(delays, 5)).isNull();
  }
}
