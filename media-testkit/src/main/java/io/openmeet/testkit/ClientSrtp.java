package io.openmeet.testkit;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpErrorStatus;
import org.jitsi.srtp.SrtpPolicy;
import org.jitsi.utils.ByteArrayBuffer;
import org.jitsi.utils.logging2.LoggerImpl;

/** The synthetic endpoint's SRTP contexts (RFC 5764: the DTLS client sends with the client key). */
final class ClientSrtp {

  /** RFC 5764 profile ids. */
  static final int AEAD_AES_128_GCM = 0x0007;

  static final int AES128_CM_HMAC_SHA1_80 = 0x0001;

  private final SrtpContextFactory out;
  private final SrtpContextFactory in;
  private final Map<Long, org.jitsi.srtp.SrtpCryptoContext> outRtp = new ConcurrentHashMap<>();
  private final Map<Long, org.jitsi.srtp.SrtpCryptoContext> inRtp = new ConcurrentHashMap<>();
  private final Map<Long, org.jitsi.srtp.SrtcpCryptoContext> outRtcp = new ConcurrentHashMap<>();
  private final Map<Long, org.jitsi.srtp.SrtcpCryptoContext> inRtcp = new ConcurrentHashMap<>();

  static int keyingMaterialLength(int profile) {
    return profile == AEAD_AES_128_GCM ? 2 * (16 + 12) : 2 * (16 + 14);
  }

  private static SrtpPolicy policy(int profile) {
    return profile == AEAD_AES_128_GCM
        ? new SrtpPolicy(
            SrtpPolicy.AESGCM_ENCRYPTION, 16, SrtpPolicy.NULL_AUTHENTICATION, 0, 16, 12)
        : new SrtpPolicy(
            SrtpPolicy.AESCM_ENCRYPTION, 16, SrtpPolicy.HMACSHA1_AUTHENTICATION, 20, 10, 14);
  }

  /**
   * @param dtlsClient true when this endpoint was the DTLS client (it then sends with the client
   *     key), false when it was the server
   */
  ClientSrtp(int profile, byte[] km, boolean dtlsClient) {
    int saltLength = profile == AEAD_AES_128_GCM ? 12 : 14;
    byte[] clientKey = Arrays.copyOfRange(km, 0, 16);
    byte[] serverKey = Arrays.copyOfRange(km, 16, 32);
    byte[] clientSalt = Arrays.copyOfRange(km, 32, 32 + saltLength);
    byte[] serverSalt = Arrays.copyOfRange(km, 32 + saltLength, 32 + 2 * saltLength);
    LoggerImpl logger = new LoggerImpl(ClientSrtp.class.getName());
    SrtpPolicy sendPolicy = policy(profile);
    sendPolicy.setSendReplayEnabled(false);
    out =
        new SrtpContextFactory(
            true,
            dtlsClient ? clientKey : serverKey,
            dtlsClient ? clientSalt : serverSalt,
            sendPolicy,
            policy(profile),
            logger);
    in =
        new SrtpContextFactory(
            false,
            dtlsClient ? serverKey : clientKey,
            dtlsClient ? serverSalt : clientSalt,
            policy(profile),
            policy(profile),
            logger);
  }

  boolean protectRtp(Packet p) {
    try {
      var ctx = outRtp.computeIfAbsent(p.ssrcAt(8), s -> derive(out, s));
      return ctx.transformPacket(p) == SrtpErrorStatus.OK;
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  boolean unprotectRtp(Packet p) {
    try {
      var ctx = inRtp.computeIfAbsent(p.ssrcAt(8), s -> derive(in, s));
      return ctx.reverseTransformPacket(p, false) == SrtpErrorStatus.OK;
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  boolean protectRtcp(Packet p) {
    try {
      var ctx = outRtcp.computeIfAbsent(p.ssrcAt(4), s -> deriveControl(out, s));
      return ctx.transformPacket(p) == SrtpErrorStatus.OK;
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  boolean unprotectRtcp(Packet p) {
    try {
      var ctx = inRtcp.computeIfAbsent(p.ssrcAt(4), s -> deriveControl(in, s));
      return ctx.reverseTransformPacket(p) == SrtpErrorStatus.OK;
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  private static org.jitsi.srtp.SrtpCryptoContext derive(SrtpContextFactory f, long ssrc) {
    try {
      return f.deriveContext((int) ssrc, 0);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static org.jitsi.srtp.SrtcpCryptoContext deriveControl(SrtpContextFactory f, long ssrc) {
    try {
      return f.deriveControlContext((int) ssrc);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A packet region that jitsi-srtp transforms in place. */
  static final class Packet implements ByteArrayBuffer {
    byte[] buf;
    int off;
    int len;

    Packet(byte[] buf, int off, int len) {
      this.buf = buf;
      this.off = off;
      this.len = len;
    }

    static Packet withRoom(byte[] data, int len) {
      byte[] copy = new byte[len + 32];
      System.arraycopy(data, 0, copy, 0, len);
      return new Packet(copy, 0, len);
    }

    long ssrcAt(int at) {
      int o = off + at;
      return ((buf[o] & 0xFFL) << 24)
          | ((buf[o + 1] & 0xFFL) << 16)
          | ((buf[o + 2] & 0xFFL) << 8)
          | (buf[o + 3] & 0xFFL);
    }

    @Override
    public byte[] getBuffer() {
      return buf;
    }

    @Override
    public int getOffset() {
      return off;
    }

    @Override
    public int getLength() {
      return len;
    }

    @Override
    public void setLength(int length) {
      len = length;
    }

    @Override
    public void setOffset(int offset) {
      off = offset;
    }

    @Override
    public boolean isInvalid() {
      return false;
    }

    @Override
    public void readRegionToBuff(int o, int l, byte[] outBuf) {
      System.arraycopy(buf, off + o, outBuf, 0, l);
    }

    @Override
    public void grow(int howMuch) {
      if (buf.length - off - len < howMuch) {
        byte[] bigger = new byte[len + howMuch];
        System.arraycopy(buf, off, bigger, 0, len);
        buf = bigger;
        off = 0;
      }
    }

    @Override
    public void append(byte[] data, int l) {
      grow(l);
      System.arraycopy(data, 0, buf, off + len, l);
      len += l;
    }

    @Override
    public void shrink(int l) {
      len = Math.max(0, len - l);
    }
  }
}
