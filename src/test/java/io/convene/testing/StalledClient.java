package io.convene.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A WebSocket client on a plain TCP socket with a tiny receive buffer that stops reading after the
 * handshake, the way a stalled phone does; later it drains what the server sent, up to its close frame.
 */
public final class StalledClient implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;

  public record Drained(int textFrames, int closeCode) {}

  private StalledClient(Socket socket, InputStream in) {
    this.socket = socket;
    this.in = in;
  }

  public static StalledClient connect(int port, String token) throws IOException {
    Socket socket = new Socket();
    socket.setReceiveBufferSize(16 * 1024);
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    socket.setSoTimeout(60_000);
    byte[] key = new byte[16];
    new SecureRandom().nextBytes(key);
    String request = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\nSec-WebSocket-Version: 13\r\n"
        + "Authorization: Bearer " + token + "\r\n\r\n";
    OutputStream out = socket.getOutputStream();
    out.write(request.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = socket.getInputStream();
    String status = readHeaders(in);
    if (!status.startsWith("HTTP/1.1 101")) {
      socket.close();
      throw new IOException("upgrade refused: " + status);
    }
    return new StalledClient(socket, in);
  }

  /** Reads frames until the server's close frame; returns how many text frames came first and the code. */
  public Drained drainUntilClose() throws IOException {
    DataInputStream data = new DataInputStream(in);
    int texts = 0;
    while (true) {
      int b0 = data.readUnsignedByte();
      int b1 = data.readUnsignedByte();
      long length = b1 & 0x7f;
      if (length == 126) {
        length = data.readUnsignedShort();
      } else if (length == 127) {
        length = data.readLong();
      }
      byte[] payload = new byte[(int) length];
      data.readFully(payload);
      int opcode = b0 & 0x0f;
      if (opcode == 0x8) {
        int code = payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : -1;
        return new Drained(texts, code);
      }
      if (opcode == 0x1) {
        texts++;
      }
    }
  }

  private static String readHeaders(InputStream in) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed during the handshake");
      }
      buf.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return buf.toString(StandardCharsets.US_ASCII);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
