package io.convene.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.XmlConfigBuilder;
import io.convene.config.AppConfig;
import io.convene.config.ConfigException;
import io.convene.metrics.NodeMetrics;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/** Clustered mode: the Hazelcast configuration from {@code cluster.xml} and a clustered Vert.x builder. */
public final class Clustering {
  private Clustering() {}

  /**
   * {@code cluster.xml} from {@code cluster.configFile} when that file exists, else the copy bundled in
   * the jar, with the {@code ${convene.cluster.*}} values filled in. A fresh object every call: Hazelcast
   * writes into it while joining.
   */
  public static Config hazelcastConfig(AppConfig.Cluster cluster) {
    Properties values = new Properties();
    values.setProperty("convene.cluster.name", cluster.name());
    values.setProperty("convene.cluster.members", cluster.members());
    values.setProperty("convene.cluster.hazelcastPort", String.valueOf(cluster.hazelcastPort()));
    values.setProperty("convene.cluster.memberTimeoutSeconds", String.valueOf(cluster.memberTimeoutSeconds()));
    Path file = cluster.configFile() == null ? null : Path.of(cluster.configFile());
    try (InputStream in = file != null && Files.isRegularFile(file)
        ? Files.newInputStream(file)
        : Clustering.class.getClassLoader().getResourceAsStream("cluster.xml")) {
      if (in == null) {
        throw new ConfigException("cluster.configFile", "no cluster.xml found");
      }
      return new XmlConfigBuilder(in).setProperties(values).build();
    } catch (IOException e) {
      throw new ConfigException("cluster.configFile", "cannot read " + file + ": " + e.getMessage());
    }
  }

  /** A builder for a clustered Vert.x whose event bus binds as configured, with metrics on. */
  public static VertxBuilder builder(VertxOptions options, AppConfig.Cluster cluster) {
    EventBusOptions bus = options.getEventBusOptions();
    if (cluster.host() != null) {
      bus.setHost(cluster.host());
    }
    if (cluster.port() != 0) {
      bus.setPort(cluster.port());
    }
    if (cluster.publicHost() != null) {
      bus.setClusterPublicHost(cluster.publicHost());
    }
    if (cluster.tls()) {
      // Mutual TLS between nodes: each presents its certificate and requires one signed by the same CA.
      bus.setSsl(true)
          .setKeyCertOptions(new io.vertx.core.net.PemKeyCertOptions().setCertPath(cluster.tlsCertPath())
              .setKeyPath(cluster.tlsKeyPath()))
          .setTrustOptions(new io.vertx.core.net.PemTrustOptions().addCertPath(cluster.tlsCaPath()))
          .setClientAuth(io.vertx.core.http.ClientAuth.REQUIRED);
    }
    return NodeMetrics.builder(options).withClusterManager(new HazelcastClusterManager(hazelcastConfig(cluster)));
  }
}
