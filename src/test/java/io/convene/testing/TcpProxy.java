package io.convene.testing;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A TCP relay in front of a server port whose connections a test can cut, as a lost network does. */
public final class TcpProxy {
  private final NetServer server;
  private final List<NetSocket> open = new CopyOnWriteArrayList<>();

  private TcpProxy(NetServer server) {
    this.server = server;
  }

  public static TcpProxy start(Vertx vertx, int targetPort) {
    NetClient client = vertx.createNetClient();
    NetServer server = vertx.createNetServer();
    TcpProxy proxy = new TcpProxy(server);
    server.connectHandler(in -> {
      in.pause();
      client.connect(targetPort, "127.0.0.1").onSuccess(out -> {
        proxy.open.add(in);
        proxy.open.add(out);
        in.handler(out::write);
        out.handler(in::write);
        in.closeHandler(v -> out.close());
        out.closeHandler(v -> in.close());
        in.resume();
      }).onFailure(err -> in.close());
    });
    server.listen(0, "127.0.0.1").await();
    return proxy;
  }

  public int port() {
    return server.actualPort();
  }

  /** Drops every connection at once: neither side gets a WebSocket close frame. */
  public void cut() {
    open.forEach(NetSocket::close);
    open.clear();
  }

  public void close() {
    server.close().await();
  }
}
