package io.openmeet.roomapi.support;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;

/**
 * A WebSocket client over a plain TCP socket that sends whatever bytes it is told to (invalid
 * UTF-8, fragments, frames of any size) and reports exactly what the server sends back, close code
 * included. Browsers and java.net.http cannot send malformed frames; attackers can.
 */
public final class RawWebSocket implements AutoCloseable {

  /** A frame from the server. */
  public record Frame(int opcode, byte[] payload) {
    public String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    /** The status code of a close frame, or -1. */
    public int closeCode() {
      return opcode == CLOSE && payload.length >= 2
          ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF)
          : -1;
    }

    /** The reason of a close frame. */
    public String closeReason() {
      return payload.length > 2
          ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8)
          : "";
    }
  }

  public static final int CONTINUATION = 0x0;
  public static final int TEXT = 0x1;
  public static final int BINARY = 0x2;
  public static final int CLOSE = 0x8;
  public static final int PING = 0x9;

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  /** The server's handshake answer (status line and headers). */
  public final String handshake;

  private RawWebSocket(Socket socket, DataInputStream in, OutputStream out, String handshake) {
    this.socket = socket;
    this.in = in;
    this.out = out;
    this.handshake = handshake;
  }

  /** Opens {@code ws://host:port/path}, offering {@code extensions} when not null. */
  public static RawWebSocket open(URI uri, String extensions) throws IOException {
    Socket socket = new Socket(uri.getHost(), uri.getPort());
    socket.setSoTimeout(10_000);
    byte[] nonce = new byte[16];
    RANDOM.nextBytes(nonce);
    String request =
        "GET "
            + uri.getRawPath()
            + " HTTP/1.1\r\n"
            + "Host: "
            + uri.getHost()
            + ":"
            + uri.getPort()
            + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: "
            + Base64.getEncoder().encodeToString(nonce)
            + "\r\nSec-WebSocket-Version: 13\r\n"
            + (extensions == null ? "" : "Sec-WebSocket-Extensions: " + extensions + "\r\n")
            + "\r\n";
    OutputStream out = socket.getOutputStream();
    out.write(request.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    DataInputStream in = new DataInputStream(socket.getInputStream());
    String head = readHead(in);
    if (!head.startsWith("HTTP/1.1 101")) {
      socket.close();
      throw new IOException("no upgrade: " + head);
    }
    return new RawWebSocket(socket, in, out, head);
  }

  private static String readHead(InputStream in) throws IOException {
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

  /** Sends one masked frame, as a client must. */
  public void send(int opcode, boolean fin, byte[] payload) throws IOException {
    sendDeclared(opcode, fin, payload.length, payload);
  }

  /**
   * Sends the header of a frame that declares {@code length} payload bytes, followed by only {@code
   * payload} (a server may refuse a frame by its header alone).
   */
  public void sendDeclared(int opcode, boolean fin, long length, byte[] payload)
      throws IOException {
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    frame.write((fin ? 0x80 : 0) | opcode);
    long n = length;
    if (n < 126) {
      frame.write((int) (0x80 | n));
    } else if (n <= 0xFFFF) {
      frame.write(0x80 | 126);
      frame.write((int) (n >>> 8));
      frame.write((int) n);
    } else {
      frame.write(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        frame.write((int) (n >>> shift));
      }
    }
    byte[] mask = new byte[4];
    RANDOM.nextBytes(mask);
    frame.write(mask);
    for (int i = 0; i < payload.length; i++) {
      frame.write(payload[i] ^ mask[i & 3]);
    }
    out.write(frame.toByteArray());
    out.flush();
  }

  public void sendText(String text) throws IOException {
    send(TEXT, true, text.getBytes(StandardCharsets.UTF_8));
  }

  /** The next frame from the server; null when the connection ends or nothing comes in time. */
  public Frame read(Duration timeout) throws IOException {
    socket.setSoTimeout((int) timeout.toMillis());
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
      if (n > 16 * 1024 * 1024) {
        throw new IOException("frame of " + n + " bytes from the server");
      }
      byte[] payload = new byte[(int) n];
      in.readFully(payload);
      return new Frame(b0 & 0x0F, payload);
    } catch (SocketTimeoutException | EOFException e) {
      return null;
    } catch (IOException e) {
      if (socket.isClosed() || "Connection reset".equals(e.getMessage())) {
        return null;
      }
      throw e;
    }
  }

  /** Reads frames until a close frame (returned) or the end of the connection (null). */
  public Frame awaitClose(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Frame f = read(Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime())));
      if (f == null) {
        return null;
      }
      if (f.opcode() == CLOSE) {
        return f;
      }
    }
    return null;
  }

  /** Whether the server closed the TCP connection (a read sees its end) within the timeout. */
  public boolean endsWithin(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      socket.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      try {
        if (in.read() < 0) {
          return true;
        }
      } catch (SocketTimeoutException e) {
        return false;
      } catch (IOException e) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
