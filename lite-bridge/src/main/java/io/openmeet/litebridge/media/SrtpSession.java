package io.openmeet.litebridge.media;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jitsi.srtp.SrtcpCryptoContext;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.SrtpErrorStatus;
import org.jitsi.srtp.SrtpPolicy;
import org.jitsi.utils.logging2.Logger;
import org.jitsi.utils.logging2.LoggerImpl;

/**
 * SRTP/SRTCP for one DTLS association: per-SSRC contexts in each direction, keyed from the DTLS
 * exporter (RFC 5764 4.2: client key | server key | client salt | server salt).
 */
final class SrtpSession {

  private static final Logger LOGGER = new LoggerImpl(SrtpSession.class.getName());

  /** The DTLS-SRTP protection profiles we offer, most preferred first. */
  enum Profile {
    AEAD_AES_128_GCM(0x0007, 16, 12),
    AES128_CM_HMAC_SHA1_80(0x0001, 16, 14);

    final int id;
    final int keyLength;
    final int saltLength;

    Profile(int id, int keyLength, int saltLength) {
      this.id = id;
      this.keyLength = keyLength;
      this.saltLength = saltLength;
    }

    static final int[] IDS = {AEAD_AES_128_GCM.id, AES128_CM_HMAC_SHA1_80.id};

    static Profile byId(int id) {
      for (Profile p : values()) {
        if (p.id == id) {
          return p;
        }
      }
      return null;
    }

    int keyingMaterialLength() {
      return 2 * (keyLength + saltLength);
    }

    SrtpPolicy policy() {
      if (this == AEAD_AES_128_GCM) {
        return new SrtpPolicy(
            SrtpPolicy.AESGCM_ENCRYPTION, 16, SrtpPolicy.NULL_AUTHENTICATION, 0, 16, 12);
      }
      return new SrtpPolicy(
          SrtpPolicy.AESCM_ENCRYPTION, 16, SrtpPolicy.HMACSHA1_AUTHENTICATION, 20, 10, 14);
    }
  }

  private final SrtpContextFactory sender;
  private final SrtpContextFactory receiver;
  private final Map<Long, SrtpCryptoContext> sendRtp = new ConcurrentHashMap<>();
  private final Map<Long, SrtpCryptoContext> receiveRtp = new ConcurrentHashMap<>();
  private final Map<Long, SrtcpCryptoContext> sendRtcp = new ConcurrentHashMap<>();
  private final Map<Long, SrtcpCryptoContext> receiveRtcp = new ConcurrentHashMap<>();

  /**
   * @param isDtlsServer the server sends with the server key and receives with the client key
   */
  SrtpSession(Profile profile, byte[] keyingMaterial, boolean isDtlsServer) {
    int k = profile.keyLength;
    int s = profile.saltLength;
    byte[] clientKey = Arrays.copyOfRange(keyingMaterial, 0, k);
    byte[] serverKey = Arrays.copyOfRange(keyingMaterial, k, 2 * k);
    byte[] clientSalt = Arrays.copyOfRange(keyingMaterial, 2 * k, 2 * k + s);
    byte[] serverSalt = Arrays.copyOfRange(keyingMaterial, 2 * k + s, 2 * k + 2 * s);
    SrtpPolicy sendPolicy = profile.policy();
    // resending cached packets (NACK) re-encrypts an already-sent index
    sendPolicy.setSendReplayEnabled(false);
    SrtpPolicy sendRtcpPolicy = profile.policy();
    SrtpPolicy receivePolicy = profile.policy();
    SrtpPolicy receiveRtcpPolicy = profile.policy();
    this.sender =
        new SrtpContextFactory(
            true,
            isDtlsServer ? serverKey : clientKey,
            isDtlsServer ? serverSalt : clientSalt,
            sendPolicy,
            sendRtcpPolicy,
            LOGGER);
    this.receiver =
        new SrtpContextFactory(
            false,
            isDtlsServer ? clientKey : serverKey,
            isDtlsServer ? clientSalt : serverSalt,
            receivePolicy,
            receiveRtcpPolicy,
            LOGGER);
  }

  /**
   * jitsi-srtp benchmarks its AES providers the first time a context is derived, which takes
   * seconds on a busy machine; doing it once at startup keeps that stall off the media path.
   */
  static void warmUp() {
    for (Profile profile : Profile.values()) {
      SrtpSession sender = new SrtpSession(profile, new byte[profile.keyingMaterialLength()], true);
      SrtpSession receiver =
          new SrtpSession(profile, new byte[profile.keyingMaterialLength()], false);
      byte[] rtp = new byte[112];
      rtp[0] = (byte) 0x80;
      rtp[1] = 100;
      rtp[11] = 1;
      PacketBuffer packet = PacketBuffer.copyOf(rtp, 0, rtp.length);
      if (sender.protectRtp(packet)) {
        receiver.unprotectRtp(packet);
      }
      byte[] rtcp = Rtp.pli(1, 2);
      PacketBuffer control = PacketBuffer.copyOf(rtcp, 0, rtcp.length);
      if (sender.protectRtcp(control)) {
        receiver.unprotectRtcp(control);
      }
      sender.close();
      receiver.close();
    }
  }

  /** Encrypts an RTP packet in place (appends the tag); false if jitsi-srtp refused. */
  boolean protectRtp(PacketBuffer packet) {
    long ssrc = Rtp.ssrc(packet.getBuffer(), packet.getOffset());
    try {
      SrtpCryptoContext context = sendRtp.get(ssrc);
      if (context == null) {
        context = sendRtp.computeIfAbsent(ssrc, this::deriveSend);
      }
      return context.transformPacket(packet) == SrtpErrorStatus.OK;
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  /** Decrypts and authenticates an SRTP packet in place; false if it must be dropped. */
  boolean unprotectRtp(PacketBuffer packet) {
    long ssrc = Rtp.ssrc(packet.getBuffer(), packet.getOffset());
    try {
      SrtpCryptoContext context = receiveRtp.get(ssrc);
      if (context == null) {
        if (receiveRtp.size() > 256) {
          return false; // an endpoint does not send hundreds of SSRCs: garbage or an attack
        }
        context = receiveRtp.computeIfAbsent(ssrc, this::deriveReceive);
      }
      return context.reverseTransformPacket(packet, false) == SrtpErrorStatus.OK;
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  boolean protectRtcp(PacketBuffer packet) {
    long ssrc = Rtp.readUint32(packet.getBuffer(), packet.getOffset() + 4);
    try {
      SrtcpCryptoContext context = sendRtcp.get(ssrc);
      if (context == null) {
        context = sendRtcp.computeIfAbsent(ssrc, this::deriveSendControl);
      }
      return context.transformPacket(packet) == SrtpErrorStatus.OK;
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  boolean unprotectRtcp(PacketBuffer packet) {
    long ssrc = Rtp.readUint32(packet.getBuffer(), packet.getOffset() + 4);
    try {
      SrtcpCryptoContext context = receiveRtcp.get(ssrc);
      if (context == null) {
        if (receiveRtcp.size() > 256) {
          return false;
        }
        context = receiveRtcp.computeIfAbsent(ssrc, this::deriveReceiveControl);
      }
      return context.reverseTransformPacket(packet) == SrtpErrorStatus.OK;
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  private SrtpCryptoContext deriveSend(long ssrc) {
    try {
      return sender.deriveContext((int) ssrc, 0);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private SrtpCryptoContext deriveReceive(long ssrc) {
    try {
      return receiver.deriveContext((int) ssrc, 0);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private SrtcpCryptoContext deriveSendControl(long ssrc) {
    try {
      return sender.deriveControlContext((int) ssrc);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private SrtcpCryptoContext deriveReceiveControl(long ssrc) {
    try {
      return receiver.deriveControlContext((int) ssrc);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  void close() {
    sender.close();
    receiver.close();
  }
}
