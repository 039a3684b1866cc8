package io.openmeet.transport;

import org.jitsi.srtp.SrtpPolicy;

/**
 * The DTLS-SRTP protection profiles we offer and accept (RFC 5764, RFC 7714), most preferred first.
 */
public enum SrtpProfile {
  AEAD_AES_128_GCM(0x0007, 16, 12),
  AES128_CM_HMAC_SHA1_80(0x0001, 16, 14);

  private static final int[] IDS = {AEAD_AES_128_GCM.id, AES128_CM_HMAC_SHA1_80.id};

  private final int id;
  private final int keyLength;
  private final int saltLength;

  SrtpProfile(int id, int keyLength, int saltLength) {
    this.id = id;
    this.keyLength = keyLength;
    this.saltLength = saltLength;
  }

  /** The profile's id in the use_srtp extension. */
  public int id() {
    return id;
  }

  int keyLength() {
    return keyLength;
  }

  int saltLength() {
    return saltLength;
  }

  /** Every profile's id, most preferred first. */
  public static int[] ids() {
    return IDS.clone();
  }

  /** The profile with this use_srtp id, or null for one we do not implement. */
  public static SrtpProfile byId(int id) {
    for (SrtpProfile p : values()) {
      if (p.id == id) {
        return p;
      }
    }
    return null;
  }

  /** Bytes of DTLS exporter output it needs: two keys and two salts. */
  public int keyingMaterialLength() {
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
