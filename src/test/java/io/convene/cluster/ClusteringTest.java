package io.convene.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convene.config.AppConfig;
import io.convene.config.ConfigException;
import io.convene.config.ConfigLoader;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The event bus between nodes speaks mutual TLS when an operator gives it certificates. */
class ClusteringTest {
  private static AppConfig.Cluster cluster(JsonObject overrides) {
    JsonObject json = ConfigLoader.defaults();
    json.put("devMode", "on");
    json.getJsonObject("auth").put("jwtSecret", "0123456789abcdef0123456789abcdef");
    json.getJsonObject("cluster").mergeIn(overrides);
    return AppConfig.from(json).cluster();
  }

  @Test
  void certificatesTurnOnMutualTlsForTheEventBus() {
    VertxOptions options = new VertxOptions();
    Clustering.builder(options, cluster(new JsonObject().put("tlsCertPath", "/etc/convene/node.pem")
        .put("tlsKeyPath", "/etc/convene/node.key").put("tlsCaPath", "/etc/convene/ca.pem")));
    var bus = options.getEventBusOptions();
    assertThat(bus.isSsl()).isTrue();
    assertThat(bus.getClientAuth()).isEqualTo(ClientAuth.REQUIRED);
    assertThat(((PemKeyCertOptions) bus.getKeyCertOptions()).getCertPaths()).containsExactly("/etc/convene/node.pem");

    VertxOptions plain = new VertxOptions();
    Clustering.builder(plain, cluster(new JsonObject()));
    assertThat(plain.getEventBusOptions().isSsl()).isFalse();
  }

  @Test
  void halfATlsConfigurationIsRefused() {
    assertThatThrownBy(() -> cluster(new JsonObject().put("tlsCertPath", "/etc/convene/node.pem")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.tlsCertPath");
  }
}
