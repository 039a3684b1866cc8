package io.openmeet.transport;

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
public final class SrtpSession {

  /** An endpoint does not send hundreds of SSRCs: more are garbage or an attack. */
  private static final int MAX_RECEIVE_SSRCS = 256;

  private static final Logger LOGGER = new LoggerImpl(SrtpSession.class.getName());

  private final SrtpContextFactory sender;
  private final SrtpContextFactory receiver;
  private final Map<Long, SrtpCryptoContext> sendRtp = new ConcurrentHashMap<>();
  private final Map<Long, SrtpCryptoContext> receiveRtp = new ConcurrentHashMap<>();
  private final Map<Long, SrtcpCryptoContext> sendRtcp = new ConcurrentHashMap<>();
  private final Map<Long, SrtcpCryptoContext> receiveRtcp = new ConcurrentHashMap<>();

  /**
   * @param isDtlsServer the server sends with the server key and receives with the client key
   */
  public SrtpSession(SrtpProfile profile, byte[] keyingMaterial, boolean isDtlsServer) {
    int k = profile.keyLength();
    int s = profile.saltLength();
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
  public static void warmUp() {
    for (SrtpProfile profile : SrtpProfile.values()) {
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
      byte[] rtcp = {(byte) 0x81, (byte) 206, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2}; // a PLI
      PacketBuffer control = PacketBuffer.copyOf(rtcp, 0, rtcp.length);
      if (sender.protectRtcp(control)) {
        receiver.unprotectRtcp(control);
      }
      sender.close();
      receiver.close();
    }
  }

  /** Encrypts an RTP packet in place (appends the tag); false if jitsi-srtp refused. */
  public boolean protectRtp(PacketBuffer packet) {
    long ssrc = readUint32(packet.getBuffer(), packet.getOffset() + 8);
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
  public boolean unprotectRtp(PacketBuffer packet) {
    long ssrc = readUint32(packet.getBuffer(), packet.getOffset() + 8);
    try {
      SrtpCryptoContext context = receiveRtp.get(ssrc);
      if (context == null) {
        if (receiveRtp.size() > MAX_RECEIVE_SSRCS) {
          return false;
        }
        context = receiveRtp.computeIfAbsent(ssrc, this::deriveReceive);
      }
      return context.reverseTransformPacket(packet, false) == SrtpErrorStatus.OK;
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  /** Encrypts an RTCP (compound) packet in place; false if jitsi-srtp refused. */
  public boolean protectRtcp(PacketBuffer packet) {
    long ssrc = readUint32(packet.getBuffer(), packet.getOffset() + 4);
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

  /** Decrypts and authenticates an SRTCP packet in place; false if it must be dropped. */
  public boolean unprotectRtcp(PacketBuffer packet) {
    long ssrc = readUint32(packet.getBuffer(), packet.getOffset() + 4);
    try {
      SrtcpCryptoContext context = receiveRtcp.get(ssrc);
      if (context == null) {
        if (receiveRtcp.size() > MAX_RECEIVE_SSRCS) {
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

  /** Past the end of the array it throws, which the callers count as a refused packet. */
  private static long readUint32(byte[] b, int at) {
    return ((b[at] & 0xFFL) << 24)
        | ((b[at + 1] & 0xFFL) << 16)
        | ((b[at + 2] & 0xFFL) << 8)
        | (b[at + 3] & 0xFFL);
  }

  public void close() {
    sender.close();
    receiver.close();
  }
}
