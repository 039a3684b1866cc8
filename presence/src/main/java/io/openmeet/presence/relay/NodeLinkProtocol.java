package io.openmeet.presence.relay;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The wire protocol of {@link TcpNodeMessaging}, version 1. On connect the listener sends {@code
 * OMNL}, the version and a random nonce; the connecting node answers with the same header, its own
 * nonce and an HMAC-SHA256 over both nonces keyed with the shared secret; the listener answers 1
 * and its own proof (or 0, and closes, when the proof is wrong). Both then derive a session key
 * from the secret and the nonces, and every frame, each way, is {@code length (4 bytes) | body |
 * MAC}, the MAC covering the direction, the frame's sequence number and the body: a frame that is
 * replayed, reordered, altered or injected fails its MAC. Bodies: {@code 1 | id length (2 bytes) |
 * node id | message} (UTF-8) towards the listener, {@code 2 | 0 or 1} (no such inbox, delivered)
 * back.
 */
final class NodeLinkProtocol {

  static final int VERSION = 1;
  private static final byte[] MAGIC = {'O', 'M', 'N', 'L'};
  private static final int NONCE_BYTES = 32;
  private static final int MAC_BYTES = 32;
  private static final byte MESSAGE = 1;
  private static final byte ACK = 2;
  private static final byte TO_LISTENER = 'L';
  private static final byte TO_CONNECTOR = 'C';

  /** The peer broke the protocol (bad header, length, MAC or body): the connection closes. */
  static class BadFrameException extends IOException {
    private static final long serialVersionUID = 1L;

    BadFrameException(String message) {
      super(message);
    }
  }

  /** The peer does not prove that it knows the shared secret. */
  static final class AuthenticationException extends BadFrameException {
    private static final long serialVersionUID = 1L;

    AuthenticationException(String message) {
      super(message);
    }
  }

  /** A message for one of the listener's inboxes. */
  record Message(String nodeId, String text) {}

  private final byte[] secret;
  private final int maxFrameBytes;
  private final SecureRandom random = new SecureRandom();

  /**
   * @param secret the key every node of the deployment shares
   * @param maxFrameBytes the largest frame body either side accepts
   */
  NodeLinkProtocol(byte[] secret, int maxFrameBytes) {
    if (secret.length == 0) {
      throw new IllegalArgumentException("the node link needs a non-empty secret");
    }
    if (maxFrameBytes < 64) {
      throw new IllegalArgumentException("maxFrameBytes must be at least 64, was " + maxFrameBytes);
    }
    this.secret = secret.clone();
    this.maxFrameBytes = maxFrameBytes;
  }

  int maxFrameBytes() {
    return maxFrameBytes;
  }

  /** The body of a message frame; throws when it would exceed the frame limit. */
  byte[] messageBody(String nodeId, String text) {
    byte[] id = nodeId.getBytes(StandardCharsets.UTF_8);
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    if (id.length > 0xFFFF) {
      throw new IllegalArgumentException("node id of " + id.length + " bytes");
    }
    int length = 3 + id.length + payload.length;
    if (length > maxFrameBytes) {
      throw new IllegalArgumentException(
          "a node message of "
              + length
              + " bytes exceeds the node link's limit of "
              + maxFrameBytes
              + " bytes");
    }
    return ByteBuffer.allocate(length)
        .put(MESSAGE)
        .putShort((short) id.length)
        .put(id)
        .put(payload)
        .array();
  }

  /** Reads a message body as the listener does. */
  static Message parseMessage(byte[] body) throws BadFrameException {
    if (body.length < 3 || body[0] != MESSAGE) {
      throw new BadFrameException("not a message frame");
    }
    int idLength = ((body[1] & 0xFF) << 8) | (body[2] & 0xFF);
    if (3 + idLength > body.length) {
      throw new BadFrameException("node id runs past the frame");
    }
    return new Message(
        utf8(body, 3, idLength), utf8(body, 3 + idLength, body.length - 3 - idLength));
  }

  private static String utf8(byte[] b, int offset, int length) throws BadFrameException {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b, offset, length))
          .toString();
    } catch (CharacterCodingException e) {
      throw new BadFrameException("text is not UTF-8");
    }
  }

  /** The listener's side of the handshake on a freshly accepted socket. */
  Channel accept(Socket socket) throws IOException {
    var in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
    var out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
    byte[] listenerNonce = nonce();
    out.write(MAGIC);
    out.writeByte(VERSION);
    out.write(listenerNonce);
    out.flush();
    readHeader(in);
    byte[] connectorNonce = in.readNBytes(NONCE_BYTES);
    byte[] proof = in.readNBytes(MAC_BYTES);
    if (proof.length != MAC_BYTES) {
      throw new EOFException("the peer closed during the handshake");
    }
    if (!MessageDigest.isEqual(
        proof, hmac(secret, "connector", listenerNonce, connectorNonce, new byte[0]))) {
      out.writeByte(0);
      out.flush();
      throw new AuthenticationException("the connecting peer's proof is wrong (another secret?)");
    }
    out.writeByte(1);
    out.write(hmac(secret, "listener", listenerNonce, connectorNonce, new byte[0]));
    out.flush();
    return new Channel(
        socket, in, out, sessionKey(listenerNonce, connectorNonce), TO_CONNECTOR, TO_LISTENER);
  }

  /** The connecting side of the handshake. */
  Channel connect(Socket socket) throws IOException {
    var in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
    var out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
    readHeader(in);
    byte[] listenerNonce = in.readNBytes(NONCE_BYTES);
    if (listenerNonce.length != NONCE_BYTES) {
      throw new EOFException("the peer closed during the handshake");
    }
    byte[] connectorNonce = nonce();
    out.write(MAGIC);
    out.writeByte(VERSION);
    out.write(connectorNonce);
    out.write(hmac(secret, "connector", listenerNonce, connectorNonce, new byte[0]));
    out.flush();
    int accepted = in.read();
    if (accepted != 1) {
      throw new AuthenticationException(
          accepted == 0
              ? "the peer refused this node's proof (another secret?)"
              : "the peer closed during the handshake");
    }
    byte[] proof = in.readNBytes(MAC_BYTES);
    if (!MessageDigest.isEqual(
        proof, hmac(secret, "listener", listenerNonce, connectorNonce, new byte[0]))) {
      throw new AuthenticationException("the listener's proof is wrong (another secret?)");
    }
    return new Channel(
        socket, in, out, sessionKey(listenerNonce, connectorNonce), TO_LISTENER, TO_CONNECTOR);
  }

  private static void readHeader(DataInputStream in) throws IOException {
    byte[] magic = in.readNBytes(MAGIC.length);
    if (magic.length < MAGIC.length) {
      throw new EOFException("the peer closed during the handshake");
    }
    if (!MessageDigest.isEqual(magic, MAGIC)) {
      throw new AuthenticationException("not a node link peer");
    }
    int version = in.read();
    if (version != VERSION) {
      throw new AuthenticationException("node link version " + version + ", this node speaks 1");
    }
  }

  private byte[] nonce() {
    byte[] n = new byte[NONCE_BYTES];
    random.nextBytes(n);
    return n;
  }

  private byte[] sessionKey(byte[] listenerNonce, byte[] connectorNonce) {
    return hmac(secret, "session", listenerNonce, connectorNonce, new byte[0]);
  }

  private static byte[] hmac(byte[] key, String label, byte[] a, byte[] b, byte[] c) {
    Mac mac = mac(key);
    mac.update(("openmeet-node-link/1 " + label).getBytes(StandardCharsets.US_ASCII));
    mac.update(a);
    mac.update(b);
    mac.update(c);
    return mac.doFinal();
  }

  private static Mac mac(byte[] key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
    }
  }

  /**
   * An authenticated connection: frames with a MAC each, numbered per direction. Used by one thread
   * at a time ({@link #close} from any).
   */
  final class Channel implements Closeable {
    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private final Mac sendMac;
    private final Mac receiveMac;
    private final byte sendDirection;
    private final byte receiveDirection;
    private long sent;
    private long received;

    private Channel(
        Socket socket,
        DataInputStream in,
        DataOutputStream out,
        byte[] key,
        byte sendDirection,
        byte receiveDirection) {
      this.socket = socket;
      this.in = in;
      this.out = out;
      this.sendMac = mac(key);
      this.receiveMac = mac(key);
      this.sendDirection = sendDirection;
      this.receiveDirection = receiveDirection;
    }

    /** Sends one frame. */
    void write(byte[] body) throws IOException {
      out.writeInt(body.length);
      out.write(body);
      out.write(frameMac(sendMac, sendDirection, sent++, body));
      out.flush();
    }

    /** Reads one frame's body; EOF when the peer closed between frames. */
    byte[] read() throws IOException {
      int length = in.readInt();
      if (length <= 0 || length > maxFrameBytes) {
        throw new BadFrameException(
            "frame of " + length + " bytes (limit " + maxFrameBytes + " bytes)");
      }
      byte[] body = new byte[length];
      in.readFully(body);
      byte[] mac = new byte[MAC_BYTES];
      in.readFully(mac);
      if (!MessageDigest.isEqual(mac, frameMac(receiveMac, receiveDirection, received++, body))) {
        throw new BadFrameException("frame MAC does not match");
      }
      return body;
    }

    /** Sends the answer to a message: whether an inbox of its node id took it. */
    void writeAck(boolean delivered) throws IOException {
      write(new byte[] {ACK, (byte) (delivered ? 1 : 0)});
    }

    /** Reads the answer to a message. */
    boolean readAck() throws IOException {
      byte[] body = read();
      if (body.length != 2 || body[0] != ACK || (body[1] != 0 && body[1] != 1)) {
        throw new BadFrameException("not an acknowledgement");
      }
      return body[1] == 1;
    }

    /**
     * Whether the peer closed this idle connection (or sent something unasked): waits at most 1 ms.
     */
    boolean closedByPeer() {
      try {
        int timeout = socket.getSoTimeout();
        socket.setSoTimeout(1);
        try {
          in.read();
          return true; // EOF, or a byte nobody asked for: either way the connection is done
        } finally {
          socket.setSoTimeout(timeout);
        }
      } catch (SocketTimeoutException e) {
        return false;
      } catch (IOException e) {
        return true;
      }
    }

    private byte[] frameMac(Mac mac, byte direction, long sequence, byte[] body) {
      mac.update(direction);
      mac.update(ByteBuffer.allocate(Long.BYTES).putLong(sequence).array());
      mac.update(body);
      return mac.doFinal();
    }

    @Override
    public void close() {
      try {
        socket.close();
      } catch (IOException e) {
        // closing: nothing to do
      }
    }
  }
}
