package io.openmeet.systemtests;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.SplittableRandom;

/**
 * A WebSocket client on a plain TCP socket for the fuzzer: it sends any bytes in any frame (invalid
 * UTF-8, binary, fragments, control frames) and reads exactly what the server answers. The JDK
 * client cannot send malformed frames.
 */
final class RawSocket implements AutoCloseable {

  /** A frame from the server. */
  record Frame(int opcode, byte[] payload) {
    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    /** The status code of a close frame (1005 when it has none). */
    int closeCode() {
      return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
    }

    String closeReason() {
      return payload.length > 2
          ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8)
          : "";
    }
  }

  static final int CONTINUATION = 0x0;
  static final int TEXT = 0x1;
  static final int BINARY = 0x2;
  static final int CLOSE = 0x8;
  static final int PING = 0x9;
  static final int PONG = 0xA;

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private final SplittableRandom random;

  private RawSocket(Socket socket, SplittableRandom random) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(socket.getInputStream());
    this.out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
    this.random = random;
  }

  /** Opens {@code ws://host:port/path}; throws when the server does not upgrade. */
  static RawSocket open(URI uri, SplittableRandom random) throws IOException {
    Socket socket = new Socket(uri.getHost(), uri.getPort());
    socket.setTcpNoDelay(true);
    socket.setSoTimeout(10_000);
    RawSocket s = new RawSocket(socket, random);
    byte[] nonce = new byte[16];
    random.nextBytes(nonce);
    String request =
        "GET "
            + uri.getRawPath()
            + " HTTP/1.1\r\nHost: "
            + uri.getHost()
            + ":"
            + uri.getPort()
            + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
            + Base64.getEncoder().encodeToString(nonce)
            + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    s.out.write(request.getBytes(StandardCharsets.US_ASCII));
    s.out.flush();
    String head = s.readHead();
    if (!head.startsWith("HTTP/1.1 101")) {
      socket.close();
      throw new IOException("no upgrade: " + head.lines().findFirst().orElse(""));
    }
    return s;
  }

  private String readHead() throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("closed during the handshake: " + head);
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  /**
   * Queues one masked frame, as a client must send it; {@link #sendText} and {@link #flush} send
   * what is queued (an input and its ping barrier leave in one TCP segment).
   */
  void send(int opcode, boolean fin, byte[] payload) throws IOException {
    int n = payload.length;
    out.write((fin ? 0x80 : 0) | opcode);
    if (n < 126) {
      out.write(0x80 | n);
    } else if (n <= 0xFFFF) {
      out.write(0x80 | 126);
      out.write(n >>> 8);
      out.write(n);
    } else {
      out.write(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        out.write((int) ((long) n >>> shift));
      }
    }
    byte[] mask = new byte[4];
    random.nextBytes(mask);
    out.write(mask);
    byte[] masked = new byte[n];
    for (int i = 0; i < n; i++) {
      masked[i] = (byte) (payload[i] ^ mask[i & 3]);
    }
    out.write(masked);
  }

  void flush() throws IOException {
    out.flush();
  }

  /** Sends a text frame, and whatever was queued before it. */
  void sendText(String text) throws IOException {
    send(TEXT, true, text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  /** The next frame from the server; null when the connection ends or nothing comes in time. */
  Frame read(Duration timeout) throws IOException {
    socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
    try {
      int b0 = in.read();
      if (b0 < 0) {
        return null;
      }
      int b1 = in.readUnsignedByte();
      long n = b1 & 0x7F;
      if (n == 126) {
        n = in.readUnsignedShort();
      } else if (n == 127) {
        n = in.readLong();
      }
      if (n < 0 || n > 16 * 1024 * 1024) {
        throw new IOException("frame of " + n + " bytes from the server");
      }
      byte[] payload = new byte[(int) n];
      in.readFully(payload);
      return new Frame(b0 & 0x0F, payload);
    } catch (SocketTimeoutException | EOFException e) {
      return null;
    } catch (IOException e) {
      if (socket.isClosed() || String.valueOf(e.getMessage()).contains("reset")) {
        return null;
      }
      throw e;
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing a socket that failed already
    }
  }
}
